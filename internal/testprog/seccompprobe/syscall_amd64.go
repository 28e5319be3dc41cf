package main

// x32Getpid makes getpid through the x32 ABI: the x86_64 syscall
// instruction with 0x40000000|39 in AX. It returns the raw result.
func x32Getpid() int64

// int80Getpid makes getpid (20 in the i386 table) through int $0x80, the
// i386 entry. It returns the raw result (sign-extended from EAX).
func int80Getpid() int64
