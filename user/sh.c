// sh: the shell; pipes, redirection, lists, background jobs, ( ), cd and exit.
#include "user.h"

// A command line is parsed into a small tree of commands, then run.
//
//   list      :=  job { (';' | '&') job } [ ';' | '&' ]
//   job       :=  pipeline                       run it and wait
//              |  pipeline '&'                   BACK: run it, do not wait
//   pipeline  :=  command { '|' command }        PIPE: left's output is right's input
//   command   :=  '(' list ')' { redir }         GROUP: the list in a subshell
//              |  { word | redir }               EXEC: a program and its arguments
//   redir     :=  '<' word  |  '>' word  |  '>>' word
//
// A LIST node holds a job and the rest of its list.  Words may be quoted
// with '...' or "..." to hold blanks and symbols; there is no other quoting
// and no expansion.  A command that is only redirections (`> f`) opens the
// files and runs nothing, which is a way to make an empty file.
//
// `cd DIR` and `exit [STATUS]` are built in: the shell runs them itself
// (in a subshell, a pipeline or a background job they affect only that
// part).  A program name without a '/' that is not found in the current
// directory is tried in the root directory too, so the programs can be run
// from anywhere.
//
// Usage:  sh [FILE]      commands from FILE instead of the standard input.
// The prompt "$ " goes to the standard error, and only when the input is
// the console.  Starting a background job prints its pid as "[PID]".
//
// Job control, when the input is the console: every job runs in a process
// group of its own (setpgrp), and the one the shell waits for is the
// console's foreground group (setfg), to which ^C posts the note
// "interrupt".  The shell itself is never in front, so ^C cannot stop it.
//
// A line holds at most MAXLINE bytes with its newline (abi.h), the
// console's own limit.  A longer line (the console refuses those, so it
// comes from a file) is skipped whole with a message: run in pieces, a
// cut `rm` line could remove the wrong thing.

#define MAXCMDS   32     // nodes in one line's tree
#define MAXREDIR  4      // redirections on one command

enum { EXEC = 1, REDIRONLY, GROUP, PIPE, LIST, BACK };

struct redir {
  int fd;                // 0 for '<', 1 for '>' and '>>'
  int mode;              // open()'s flags
  int append;            // '>>': start at the end of the file
  char *file;
};

struct cmd {
  int type;
  char *argv[MAXARG + 1];        // EXEC: the words, NULL-terminated
  struct redir redir[MAXREDIR];  // EXEC, REDIRONLY, GROUP: in the order written
  int nredir;
  struct cmd *left;              // GROUP: the list; PIPE, LIST: the first part; BACK: the job
  struct cmd *right;             // PIPE, LIST: the rest
};

// Everything about the current line is static: the user stack is one page,
// and a fork copies these few pages anyway.
static char line[MAXLINE + 1];    // the line, its newline and a NUL
static char words[2 * MAXLINE];   // each word copied out, NUL-terminated
static char *wordend;             // next free byte of words
static char *pos;                 // parse position in line
static struct cmd cmds[MAXCMDS];
static int ncmds;
static int syntax_error;
static int interactive;           // input is the console: prompt
static int jobcontrol;            // ... and this is the shell itself: each job in a
                                  // process group of its own, the one waited for in
                                  // front, where the console's ^C interrupts it

static const char blanks[] = " \t\r\n\v";
static const char symbols[] = "&;|<>()";

// ---- reading and splitting ----

static int
getcmd(void)
{
  int n;
  char c;

  if (interactive)
    fprintf(2, "$ ");
  gets(line, sizeof(line));
  if (line[0] == 0)
    return -1;          // end of input: gets read nothing at all
  n = strlen(line);
  if (n == MAXLINE && line[n - 1] != '\n' && line[n - 1] != '\r') {
    while (read(0, &c, 1) == 1 && c != '\n')
      ;                 // the rest of the long line
    fprintf(2, "sh: line longer than %d characters skipped\n", MAXLINE - 1);
    line[0] = 0;        // parse() sees an empty line
  }
  return 0;
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

// The next word, copied into words[] without its quotes; 0 if the next
// token is not a word (a symbol, or the end of the line).
static char*
getword(void)
{
  char *w;
  char q;

  if (peek() == 0 || strchr(symbols, *pos))
    return 0;
  w = wordend;
  while (*pos && !strchr(blanks, *pos) && !strchr(symbols, *pos)) {
    if (*pos == '\'' || *pos == '"') {
      q = *pos++;
      while (*pos && *pos != q)
        *wordend++ = *pos++;
      if (*pos != q) {
        error("unterminated quote", q);
        break;
      }
      pos++;
    } else {
      *wordend++ = *pos++;
    }
  }
  *wordend++ = 0;
  return w;
}

// ---- parsing: each function returns 0 after an error ----

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

static struct cmd* parselist(void);

// If a redirection comes next, add it to c; 1 if there was one.
static int
parseredir(struct cmd *c)
{
  struct redir *r;
  int sym = peek();

  if (sym != '<' && sym != '>')
    return 0;
  pos++;
  if (c->nredir == MAXREDIR) {
    error("too many redirections", 0);
    return 1;
  }
  r = &c->redir[c->nredir++];
  if (sym == '<') {
    r->fd = 0;
    r->mode = O_RDONLY;
  } else if (*pos == '>') {
    pos++;
    r->fd = 1;
    r->mode = O_RDWR | O_CREATE;      // read to find the end (there is no seek)
    r->append = 1;
  } else {
    r->fd = 1;
    r->mode = O_WRONLY | O_CREATE | O_TRUNC;
  }
  r->file = getword();
  if (r->file == 0)
    error("missing file name after", sym);
  return 1;
}

static struct cmd*
parsecommand(void)
{
  struct cmd *c;
  char *w;
  int argc = 0;

  if (take('(')) {
    c = newcmd(GROUP);
    if (c == 0)
      return 0;
    if (peek() == ')') {
      error("empty ( )", 0);
      return 0;
    }
    c->left = parselist();
    if (c->left == 0)
      return 0;
    if (!take(')')) {
      error("missing )", 0);
      return 0;
    }
    while (parseredir(c))
      ;
    if (peek() && !strchr("|&;)", *pos))
      error("syntax error near", *pos);
    return syntax_error ? 0 : c;
  }

  c = newcmd(EXEC);
  if (c == 0)
    return 0;
  for (;;) {
    if (parseredir(c))
      continue;
    w = getword();
    if (w == 0)
      break;
    if (argc == MAXARG) {
      error("too many arguments", 0);
      return 0;
    }
    c->argv[argc++] = w;
  }
  if (syntax_error)
    return 0;
  if (argc == 0) {
    if (c->nredir == 0) {
      error(peek() ? "syntax error near" : "missing command", peek());
      return 0;
    }
    c->type = REDIRONLY;
  }
  if (peek() == '(') {
    error("syntax error near", '(');
    return 0;
  }
  return c;
}

static struct cmd*
parsepipeline(void)
{
  struct cmd *c, *p;

  c = parsecommand();
  if (c == 0 || !take('|'))
    return c;
  p = newcmd(PIPE);
  if (p == 0)
    return 0;
  p->left = c;
  p->right = parsepipeline();
  return p->right ? p : 0;
}

static struct cmd*
parselist(void)
{
  struct cmd *c, *b, *l;
  int more;

  c = parsepipeline();
  if (c == 0)
    return 0;
  if (take('&')) {
    b = newcmd(BACK);
    if (b == 0)
      return 0;
    b->left = c;
    c = b;
    more = 1;
  } else {
    more = take(';');
  }
  if (!more || peek() == 0 || peek() == ')')
    return c;
  l = newcmd(LIST);
  if (l == 0)
    return 0;
  l->left = c;
  l->right = parselist();
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
  c = parselist();
  if (c != 0 && peek() != 0) {
    error("syntax error near", *pos);
    return 0;
  }
  return c;
}

// ---- running ----

static void run(struct cmd *c);

// cd and exit change the shell itself, so the shell runs them, not a child.
// 1 if argv was one of them.
static int
builtin(char **argv)
{
  char *dir;

  if (strcmp(argv[0], "cd") == 0) {
    dir = argv[1] ? argv[1] : "/";
    if (chdir(dir) < 0)
      fprintf(2, "cannot cd %s\n", dir);
    return 1;
  }
  if (strcmp(argv[0], "exit") == 0)
    exit(argv[1] ? atoi(argv[1]) : 0);
  return 0;
}

// Make descriptor r->fd the file r names.  0, or -1 (with a message).
static int
redirect(struct redir *r)
{
  static char skip[512];
  struct stat st;
  int fd;

  fd = open(r->file, r->mode);
  if (fd < 0) {
    fprintf(2, "sh: cannot open %s\n", r->file);
    return -1;
  }
  // '>>': read to the end, so that writes go after it.  (Not on a device:
  // reading the console would wait for a line.)
  if (r->append && fstat(fd, &st) == 0 && st.type == T_FILE)
    while (read(fd, skip, sizeof(skip)) > 0)
      ;
  if (fd != r->fd) {
    close(r->fd);
    if (dup(fd) != r->fd) {
      fprintf(2, "sh: cannot redirect to %s\n", r->file);
      return -1;
    }
    close(fd);
  }
  return 0;
}

// exec argv; if that fails and the name has no '/', try it in the root.
static void
execute(char **argv)
{
  static char path[MAXPATH];

  exec(argv[0], argv);
  if (strchr(argv[0], '/') == 0 && strlen(argv[0]) + 2 <= sizeof(path)) {
    path[0] = '/';
    strcpy(path + 1, argv[0]);
    exec(path, argv);
  }
  fprintf(2, "exec %s failed\n", argv[0]);
}

// Wait for pid and return its status.  Background jobs that finished
// meanwhile are reaped here too.
static int
waitfor(int pid)
{
  int w, st = 0;

  do {
    w = wait(&st);
  } while (w != pid && w >= 0);
  return w == pid ? st : -1;
}

static void runchild(struct cmd *c);

// Run the two sides of a pipe in two children, the left one's output into
// the right one's input; wait for both; the right one's status.
static int
runpipe(struct cmd *c)
{
  int p[2], left, right;

  if (pipe(p) < 0) {
    fprintf(2, "sh: pipe failed\n");
    return 1;
  }
  left = fork();
  if (left == 0) {
    close(1);
    dup(p[1]);
    close(p[0]);
    close(p[1]);
    runchild(c->left);
  }
  right = left < 0 ? -1 : fork();
  if (right == 0) {
    close(0);
    dup(p[0]);
    close(p[0]);
    close(p[1]);
    runchild(c->right);
  }
  // Only the two children may hold the pipe: the reader sees end of file
  // when the writer is done.
  close(p[0]);
  close(p[1]);
  if (left < 0 || right < 0) {
    fprintf(2, "sh: fork failed\n");
    if (left > 0)
      waitfor(left);
    return 1;
  }
  waitfor(left);
  return waitfor(right);
}

// Run c in this (child) process and exit with its status; never returns.
static void
runchild(struct cmd *c)
{
  int i;

  jobcontrol = 0;       // a job's own parts stay in its group
  for (i = 0; i < c->nredir; i++)
    if (redirect(&c->redir[i]) < 0)
      exit(1);

  switch (c->type) {
  case EXEC:
    if (builtin(c->argv))
      exit(0);
    execute(c->argv);
    exit(1);
  case REDIRONLY:
    exit(0);
  case PIPE:
    exit(runpipe(c));
  default:              // GROUP: its list; LIST, BACK: themselves
    run(c->type == GROUP ? c->left : c);
    exit(0);
  }
}

static void
run(struct cmd *c)
{
  int pid;

  switch (c->type) {
  case LIST:
    run(c->left);
    run(c->right);
    return;
  case BACK:
    pid = fork();
    if (pid < 0) {
      fprintf(2, "sh: fork failed\n");
      return;
    }
    if (pid == 0)
      runchild(c->left);
    if (jobcontrol)
      setpgrp(pid, pid);  // its own group: never in front, ^C does not reach it
    if (interactive)
      fprintf(2, "[%d]\n", pid);
    return;             // no wait: a later waitfor() reaps it
  case EXEC:
    if (c->nredir == 0 && builtin(c->argv))
      return;
    // fall through
  default:
    pid = fork();
    if (pid < 0) {
      fprintf(2, "sh: fork failed\n");
      return;
    }
    if (pid == 0) {
      if (jobcontrol)
        setfg(setpgrp(0, 0));   // both sides say so: whichever runs first
      runchild(c);
    }
    if (jobcontrol) {
      setpgrp(pid, pid);
      setfg(pid);
    }
    waitfor(pid);
    if (jobcontrol)
      setfg(0);         // the shell is never in front: ^C at its prompt only drops the line
    return;
  }
}

int
main(int argc, char *argv[])
{
  struct cmd *c;
  struct stat st;

  if (argc > 2) {
    fprintf(2, "usage: sh [file]\n");
    exit(1);
  }
  if (argc == 2) {
    close(0);
    if (open(argv[1], O_RDONLY) != 0) {
      fprintf(2, "sh: cannot open %s\n", argv[1]);
      exit(1);
    }
  }
  // Prompt when the input is the console.  (Before there are files, fstat
  // fails, and then the input is the console too.)
  interactive = fstat(0, &st) < 0 || st.type == T_DEVICE;
  jobcontrol = interactive;

  while (getcmd() == 0) {
    c = parse();
    if (c)
      run(c);
  }
  exit(0);
}
