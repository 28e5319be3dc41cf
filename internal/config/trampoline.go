package config

// The execve trampoline: when the jail installs a seccomp filter, the
// helper's last system calls — the execve of the target, the sendmsg of a
// seccomp listener (log mode) and the write of a failure report — pass
// pointers into a mapping at ExecveAddr, an address the parent chose at
// random for this jail. The filter allows exactly those calls with exactly
// those pointers, so the target (which never sees the address) gains
// nothing. The layout, shared by the parent that writes the rules and the
// helper that fills the pages:
const (
	TrampolineSize         = 3 * 4096
	TrampolinePathOffset   = 0        // NUL-terminated target path (first page)
	TrampolineMsgOffset    = 4096     // struct msghdr for sendmsg (second page)
	TrampolineReportOffset = 2 * 4096 // failure report for the status pipe (third page)
)
