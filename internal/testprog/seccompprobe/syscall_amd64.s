#include "textflag.h"

// func x32Getpid() int64
TEXT ·x32Getpid(SB), NOSPLIT, $0-8
	MOVQ	$0x40000027, AX	// __X32_SYSCALL_BIT | 39 (getpid)
	SYSCALL
	MOVQ	AX, ret+0(FP)
	RET

// func int80Getpid() int64
TEXT ·int80Getpid(SB), NOSPLIT, $0-8
	MOVL	$20, AX	// getpid in the i386 table
	INT	$0x80
	MOVLQSX	AX, AX
	MOVQ	AX, ret+0(FP)
	RET
