// sh: the shell; reads command lines and runs programs, with cd, exit, & and ;.
#include "user.h"

// A command line is parsed into a small tree of commands, then run:
//
//   line  :=  job { ';' job } [';']       LIST: run one, then the rest
//   job   :=  exec [ '&' ]                BACK: run without waiting
//   exec  :=  word { word }               EXEC: a program and its arguments
//
// A job followed by '&' needs no ';' before the next one ("a & b").  The
// files issue adds pipes (a PIPE node made in parsejob), redirections (a REDIR
// node around an EXEC, made in parseexec) and parentheses (a subshell, also
// in parseexec); until then those symbols are reported as not supported.

#define MAXLINE 256
#define MAXCMDS 16     // nodes in one line's tree

enum { EXEC = 1, BACK, LIST };

struct cmd {
  int type;
  char *argv[MAXARG + 1];     // EXEC: the words, NULL-terminated
  struct cmd *left;           // BACK: the job; LIST: the first part
  struct cmd *right;          // LIST: the rest
};

// Everything about the current line is static: the user stack is one page,
// and a fork copies these few pages anyway.
static char line[MAXLINE];
static char words[2 * MAXLINE];   // each word copied out, NUL-terminated
static char *wordend;             // next free byte of words
static char *pos;                 // parse position in line
static struct cmd cmds[MAXCMDS];
static int ncmds;
static int syntax_error;

static const char blanks[] = " \t\r\n\v";
static const char symbols[] = "&;|<>()";

// ---- reading and splitting ----

static int
getcmd(void)
{
  fprintf(2, "$ ");
  gets(line, sizeof(line));
  if (line[0] == 0)
    return -1;          // end of input: gets read nothing at all
  return 0;
}

// Skip blanks; return the next character without consuming it (0 at end).
static int
peek(void)
{
  while (*pos && strchr(blanks, *pos))
    pos++;
  return *pos;
}

// Is the next token the symbol c?  If so, consume it.
static int
take(int c)
{
  if (peek() != c)
    return 0;
  pos++;
  return 1;
}

// The next word, copied into words[]; 0 if the next token is not a word.
static char*
getword(void)
{
  char *w;

  if (peek() == 0 || strchr(symbols, *pos))
    return 0;
  w = wordend;
  while (*pos && !strchr(blanks, *pos) && !strchr(symbols, *pos))
    *wordend++ = *pos++;
  *wordend++ = 0;
  return w;
}

static void
error(const char *msg, int c)
{
  if (!syntax_error) {
    if (c)
      fprintf(2, "sh: %s '%c'\n", msg, c);
    else
      fprintf(2, "sh: %s\n", msg);
  }
  syntax_error = 1;
}

// ---- parsing ----

static struct cmd*
newcmd(int type)
{
  struct cmd *c;

  if (ncmds == MAXCMDS) {
    error("command too complex", 0);
    return 0;
  }
  c = &cmds[ncmds++];
  memset(c, 0, sizeof(*c));
  c->type = type;
  return c;
}

static struct cmd*
parseexec(void)
{
  struct cmd *c;
  char *w;
  int argc = 0;

  c = newcmd(EXEC);
  if (c == 0)
    return 0;
  while ((w = getword()) != 0) {
    if (argc == MAXARG) {
      error("too many arguments", 0);
      return 0;
    }
    c->argv[argc++] = w;
  }
  if (peek() && strchr("|<>()", *pos)) {
    error("not supported yet:", *pos);
    return 0;
  }
  if (argc == 0) {
    error("syntax error near", peek() ? *pos : 0);
    return 0;
  }
  return c;
}

static struct cmd*
parsejob(void)
{
  struct cmd *c, *b;

  c = parseexec();
  if (c == 0 || !take('&'))
    return c;
  b = newcmd(BACK);
  if (b)
    b->left = c;
  return b;
}

static struct cmd*
parseline(void)
{
  struct cmd *c, *l;
  int more;

  c = parsejob();
  if (c == 0)
    return 0;
  // After ';', or after '&' when more follows, the rest is another line.
  more = take(';') || c->type == BACK;
  if (!more || peek() == 0)
    return c;
  l = newcmd(LIST);
  if (l == 0)
    return 0;
  l->left = c;
  l->right = parseline();
  return l->right ? l : 0;
}

// Parse the line just read; 0 for an empty line or after an error.
static struct cmd*
parse(void)
{
  struct cmd *c;

  pos = line;
  wordend = words;
  ncmds = 0;
  syntax_error = 0;
  if (peek() == 0)
    return 0;
  c = parseline();
  if (c != 0 && peek() != 0) {
    error("syntax error near", *pos);
    return 0;
  }
  return c;
}

// ---- running ----

static void run(struct cmd *c);

// cd and exit change the shell itself, so the shell runs them, not a child.
static int
builtin(struct cmd *c)
{
  char *dir;

  if (strcmp(c->argv[0], "cd") == 0) {
    dir = c->argv[1] ? c->argv[1] : "/";
    if (chdir(dir) < 0)
      fprintf(2, "cannot cd %s\n", dir);
    return 1;
  }
  if (strcmp(c->argv[0], "exit") == 0)
    exit(c->argv[1] ? atoi(c->argv[1]) : 0);
  return 0;
}

// Run c in this (child) process and exit; never returns.
static void
runchild(struct cmd *c)
{
  if (c->type == EXEC) {
    exec(c->argv[0], c->argv);
    fprintf(2, "exec %s failed\n", c->argv[0]);
    exit(1);
  }
  run(c);
  exit(0);
}

// Wait for pid.  Background jobs that finished meanwhile are reaped here too.
static void
waitfor(int pid)
{
  int w;

  do {
    w = wait(0);
  } while (w != pid && w >= 0);
}

static void
run(struct cmd *c)
{
  int pid;

  switch (c->type) {
  case EXEC:
    if (builtin(c))
      return;
    pid = fork();
    if (pid < 0) {
      fprintf(2, "sh: fork failed\n");
      return;
    }
    if (pid == 0)
      runchild(c);
    waitfor(pid);
    return;
  case BACK:
    pid = fork();
    if (pid < 0) {
      fprintf(2, "sh: fork failed\n");
      return;
    }
    if (pid == 0)
      runchild(c->left);
    return;             // no wait: a later waitfor() reaps it
  case LIST:
    run(c->left);
    run(c->right);
    return;
  }
}

int
main(void)
{
  struct cmd *c;

  while (getcmd() == 0) {
    c = parse();
    if (c)
      run(c);
  }
  exit(0);
}
