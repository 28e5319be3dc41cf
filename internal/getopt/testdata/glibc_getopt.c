/*
 * Prints how glibc's getopt_long parses its arguments with minijail0's option
 * table: one line per option ("-c" or "--name" for long-only options, the
 * argument in brackets when optarg is set), glibc's own message and "ERR" for
 * an error, then the operands left. regen.py runs it on cases.txt to produce
 * ../glibc_cases_test.go.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
static const char optstring[] = "+a:b:c:de::f:g:hik:lm::nprst::u:vwyzB:C:GHIK::LM::NP:R:S:T:UV:Y";
static const struct option lo[] = {
 {"help",0,0,'h'},{"mount-dev",0,0,'d'},{"ambient",0,0,256},{"uts",2,0,257},{"logging",1,0,258},{"profile",1,0,259},{"preload-library",1,0,260},{"seccomp-bpf-binary",1,0,261},{"add-suppl-group",1,0,262},{"allow-speculative-execution",0,0,263},{"config",1,0,264},{"gen-config",1,0,265},{"env-add",1,0,266},{"env-reset",0,0,267},{"mount",1,0,'k'},{"bind-mount",1,0,'b'},{"ns-mount",0,0,'v'},{"enable-profile-fs-restrictions",0,0,268},{"fs-default-paths",0,0,269},{"fs-path-rx",1,0,270},{"fs-path-ro",1,0,271},{"fs-path-rw",1,0,272},{"fs-path-advanced-rw",1,0,273},{"landlock-abi",1,0,274},{"no-default-runtime-environment",0,0,275},{"no-fs-restrictions",0,0,276},{"no-new-sessions",0,0,277},{"preserve-fd",1,0,278},{0,0,0,0}};
int main(int argc, char **argv){
  /* argv[1..] is the case; program name "minijail0" */
  argv[0]="minijail0"; int c, idx;
  dup2(1,2); setvbuf(stdout,NULL,_IONBF,0);
  while ((c = getopt_long(argc, argv, optstring, lo, &idx)) != -1) {
    if (c=='?' ) { printf("  ERR\n"); continue; }
    if (c >= 256) printf("  --%s", lo[idx].name); else printf("  -%c", c);
    if (optarg) printf(" [%s]\n", optarg); else printf("\n");
  }
  printf("  rest:"); for (int i=optind;i<argc;i++) printf(" [%s]", argv[i]); printf("\n");
}
