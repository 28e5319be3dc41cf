package caps

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Securebits (linux/securebits.h).
const (
	SecbitNoroot                  = 1 << 0
	SecbitNorootLocked            = 1 << 1
	SecbitNoSetuidFixup           = 1 << 2
	SecbitNoSetuidFixupLocked     = 1 << 3
	SecbitKeepCaps                = 1 << 4
	SecbitKeepCapsLocked          = 1 << 5
	SecbitNoCapAmbientRaise       = 1 << 6
	SecbitNoCapAmbientRaiseLocked = 1 << 7
	SecbitExecRestrictFile        = 1 << 8
	SecbitExecRestrictFileLocked  = 1 << 9
	SecbitExecDenyInteractive     = 1 << 10
	SecbitExecDenyInteractiveLock = 1 << 11

	// bits614 are the bits (and locks) added in Linux 6.14.
	bits614 = SecbitExecRestrictFile | SecbitExecRestrictFileLocked | SecbitExecDenyInteractive | SecbitExecDenyInteractiveLock
	allBits = 0xfff
)

// These functions act on the calling thread only: callers lock their OS
// thread and never return it to the Go scheduler afterwards.

// LockSecurebits sets and locks every securebit except those in skip and the
// ambient-raise bit (the capability sets are configured anyway), so that
// uid 0 gets no capabilities from execve and a uid change keeps the
// capabilities being set. On kernels older than 6.14 the exec bits are left
// out. It returns the bits set.
func LockSecurebits(skip uint64) (uint64, error) {
	return LockSecurebitsWith(skip, func(bits uint64) error {
		return unix.Prctl(unix.PR_SET_SECUREBITS, uintptr(bits), 0, 0, 0)
	})
}

// LockSecurebitsWith is LockSecurebits with the prctl made by set (for
// callers that set them on every thread).
func LockSecurebitsWith(skip uint64, set func(bits uint64) error) (uint64, error) {
	bits := uint64(allBits) &^ (SecbitNoCapAmbientRaise | SecbitNoCapAmbientRaiseLocked) &^ skip
	if bits == 0 {
		return 0, nil
	}
	err := set(bits)
	if err == unix.EPERM && bits&bits614 != 0 {
		bits &^= bits614
		err = set(bits)
	}
	if err != nil {
		return 0, fmt.Errorf("prctl(PR_SET_SECUREBITS, %#x): %w", bits, err)
	}
	return bits, nil
}

// Securebits returns the calling thread's securebits.
func Securebits() (uint64, error) {
	r, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_GET_SECUREBITS, 0, 0, 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return uint64(r), nil
}

// Sets are the three per-thread capability sets.
type Sets struct{ Effective, Permitted, Inheritable uint64 }

// Get returns the calling thread's capability sets.
func Get() (Sets, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return Sets{}, fmt.Errorf("capget: %w", err)
	}
	return Sets{
		Effective:   uint64(data[0].Effective) | uint64(data[1].Effective)<<32,
		Permitted:   uint64(data[0].Permitted) | uint64(data[1].Permitted)<<32,
		Inheritable: uint64(data[0].Inheritable) | uint64(data[1].Inheritable)<<32,
	}, nil
}

// Set replaces the calling thread's capability sets.
func Set(s Sets) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	data := [2]unix.CapUserData{
		{Effective: uint32(s.Effective), Permitted: uint32(s.Permitted), Inheritable: uint32(s.Inheritable)},
		{Effective: uint32(s.Effective >> 32), Permitted: uint32(s.Permitted >> 32), Inheritable: uint32(s.Inheritable >> 32)},
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset(eff=%#x prm=%#x inh=%#x): %w", s.Effective, s.Permitted, s.Inheritable, err)
	}
	return nil
}

// DropBounding removes every capability not in keep from the bounding set.
func DropBounding(keep uint64, last int) error {
	for c := 0; c <= last; c++ {
		if keep&(1<<uint(c)) != 0 {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil {
			return fmt.Errorf("drop %s from the bounding set: %w", Name(c), err)
		}
	}
	return nil
}

// RaiseAmbient clears the ambient set, then raises every capability of mask
// in it (each must be permitted and inheritable already).
func RaiseAmbient(mask uint64, last int) error {
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return fmt.Errorf("clear the ambient set: %w", err)
	}
	for c := 0; c <= last; c++ {
		if mask&(1<<uint(c)) == 0 {
			continue
		}
		if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_RAISE, uintptr(c), 0, 0); err != nil {
			return fmt.Errorf("raise %s in the ambient set: %w", Name(c), err)
		}
	}
	return nil
}

// Reduce leaves the calling thread with exactly the capabilities of mask in
// its effective, permitted and inheritable sets; when dropBounding, the
// bounding set is reduced to mask too (CAP_SETPCAP is kept until then); when
// ambient, mask is raised in the ambient set so that it survives execve.
func Reduce(mask uint64, dropBounding, ambient bool) error {
	last := LastCap()
	mask &= uint64(1)<<(uint(last)+1) - 1
	withPCap := mask | 1<<SetPCap
	if err := Set(Sets{Effective: withPCap, Permitted: withPCap, Inheritable: withPCap}); err != nil {
		return err
	}
	if dropBounding {
		if err := DropBounding(mask, last); err != nil {
			return err
		}
	}
	if err := Set(Sets{Effective: mask, Permitted: mask, Inheritable: mask}); err != nil {
		return err
	}
	if ambient {
		return RaiseAmbient(mask, last)
	}
	return nil
}
