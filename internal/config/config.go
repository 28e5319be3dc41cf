// Package config holds the plain-data description of a jail: everything the
// parent decided (users resolved, policy compiled, paths checked) and that the
// helper stage needs to apply the jail and execute the target.
//
// A Config crosses a process boundary (parent -> helper) in the encoding of
// codec.go; every field is validated on decode because the helper must treat
// its input as untrusted.
package config

// Remount modes for the root of a new mount namespace (-K).
const (
	RemountPrivate    = "private" // default when a mount namespace is only implied
	RemountSlave      = "slave"   // minijail0 -v default (MS_REC|MS_SLAVE)
	RemountShared     = "shared"
	RemountUnbindable = "unbindable"
	RemountNone       = "none" // bare -K: leave propagation as it is
)

// Supplementary group handling before the uid/gid change.
const (
	GroupsDefault = iota // clear supplementary groups when uid or gid changes
	GroupsKeep           // -y: keep the caller's groups
	GroupsSet            // -G or --add-suppl-group: set exactly Groups
)

// Logging destinations for helper diagnostics (--logging).
const (
	LogAuto   = "auto"
	LogSyslog = "syslog"
	LogStderr = "stderr"
)

// Rlimit is one resource limit to set with setrlimit(2).
type Rlimit struct {
	Resource int    // RLIMIT_* number
	Cur, Max uint64 // RLIM_INFINITY is ^uint64(0)
}

// Mount is one entry of the ordered mount list (-b and -k). Bind mounts have
// Bind set and FSType empty.
type Mount struct {
	Source   string
	Target   string // path inside the jail's root (relative to Chroot/PivotRoot when set)
	FSType   string
	Flags    uint64 // MS_* flags
	Data     string
	Bind     bool
	Writable bool // bind mounts: writable (else remounted read-only)
}

// LandlockRule grants access below one path (--fs-path-*).
type LandlockRule struct {
	Path   string
	Access uint64 // LANDLOCK_ACCESS_FS_* bits
}

// Config is the whole jail as plain data.
type Config struct {
	// Target program.
	Path string   // absolute or relative path that execve(2) gets
	Argv []string // argv, Argv[0] included
	Env  []string // exact environment of the target
	Dir  string   // working directory to change to before exec ("" = unchanged)

	// Identity.
	HasUID, HasGID bool
	UID, GID       uint32
	GroupsMode     int
	Groups         []uint32 // GroupsSet: the exact supplementary groups

	// Capabilities and privileges.
	UseCaps            bool   // -c given: reduce capabilities to CapMask
	CapMask            uint64 // bit n = capability n
	AmbientCaps        bool   // --ambient (implied for the pre-exec model when UseCaps)
	SkipSecurebitsMask uint64 // -B: securebits not to set
	NoNewPrivs         bool

	// Seccomp.
	SeccompFilter  []byte // raw struct sock_filter array, host byte order; empty = none
	SeccompPolicy  string // file the filter came from, for messages
	SeccompLog     bool   // -L: filter was compiled in log mode
	SeccompTSYNC   bool   // -Y
	SpecAllow      bool   // --allow-speculative-execution (SECCOMP_FILTER_FLAG_SPEC_ALLOW)
	StrictSeccomp  bool   // -s
	ExecveAddr     uint64 // the helper's execve trampoline (see trampoline.go), or 0
	SeccompNotifFD int    // -1, or the fd the helper sends the listener fd over (-L user notification)

	// Landlock (--fs-path-*).
	Landlock      bool
	LandlockRules []LandlockRule

	// Process attributes.
	Rlimits     []Rlimit
	PreserveFDs []int // fds kept open (besides 0, 1, 2)
	NewSession  bool  // setsid(2) before exec
	NewKeyring  bool  // -w
	ParentDeath bool  // kill the jail when the parent dies
	// InitStage marks the pid-1 helper re-executed after the set-up: it
	// starts the target (as pid 2) and reaps. Set by the helper only.
	InitStage bool
	// LastPidFD is the init stage's open /proc/sys/kernel/ns_last_pid (the
	// fresh /proc is read-only), or -1. Set by the helper only.
	LastPidFD int

	// Namespaces: the parent creates them at clone time (Cloneflags); the
	// helper needs to know which exist to finish them.
	Cloneflags   uint64
	EnterMountNS string // -V
	EnterNetNS   string // -e FILE
	// EnterMountNSFD and EnterNetNSFD are those files, opened by the parent
	// (a bind mount of a namespace file may not be visible from the
	// helper's new mount namespace), as the helper's fds; -1 if none.
	EnterMountNSFD int
	EnterNetNSFD   int
	RunAsInit      bool   // -I: the target itself is pid 1
	Hostname       string // --uts=NAME
	UIDMap         string // written by the parent, kept for messages
	GIDMap         string
	UIDMapSet      bool // a uid map was asked for ("" then means the default map)
	GIDMapSet      bool

	// Filesystem view.
	RemountMode   string
	Mounts        []Mount
	Chroot        string
	PivotRoot     string
	MountTmp      bool
	TmpSize       uint64
	RemountProcRO bool
	MountDev      bool

	// Diagnostics.
	Logging string
}
