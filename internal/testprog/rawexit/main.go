// Command rawexit is a static program that runs no Go runtime: built with
// -ldflags=-E=main.start (see start_amd64.s) it writes "rawexit\n" to
// standard output and calls exit_group(0). Its only system calls are those
// two, so a seccomp policy of "write: 1" and "exit_group: 1" is all it
// needs; the kernel-level seccomp tests use it to show that the jail's own
// steps before execve ask nothing more of a policy.
//
// Built the ordinary way (without the entry point flag) it is an ordinary
// Go program doing the same.
package main

import "os"

func main() {
	os.Stdout.WriteString("rawexit\n")
}
