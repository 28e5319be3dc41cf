//go:build !amd64

package main

import "golang.org/x/sys/unix"

// x32Getpid is only meaningful on amd64; elsewhere it returns -ENOSYS.
func x32Getpid() int64 { return -int64(unix.ENOSYS) }

// int80Getpid is only meaningful on amd64; elsewhere it returns -ENOSYS.
func int80Getpid() int64 { return -int64(unix.ENOSYS) }
