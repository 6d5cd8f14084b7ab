// ps: the processes, their CPU time, hart and scheduling, through procinfo.
#include "sched.h"

int
main(void)
{
  struct procinfo info;
  printf("PID\tPPID\tSTATE\t\tUSER_MS\tSYS_MS\tHART\tSCHED\tNAME\n");
  for (int pid = procinfo(0, &info); pid > 0; pid = procinfo(pid, &info)) {
    printf("%d\t%d\t%s\t%s%d\t%d\t", info.pid, info.ppid, info.state,
           strlen(info.state) < 8 ? "\t" : "", (int)(info.user_us / 1000),
           (int)(info.sys_us / 1000));
    if (info.hart < 0)
      printf("-");
    else
      printf("%d%s", info.hart, info.wired >= 0 ? "w" : "");   // w: wired there
    printf("\t%s\t%s\n", info.sched, info.name);
  }
  exit(0);
}
