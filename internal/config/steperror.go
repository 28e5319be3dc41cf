package config

import (
	"fmt"
	"syscall"
)

// StepError is a failure of one jail set-up step. The helper sends it to the
// parent on the status pipe; the parent returns it to the caller.
type StepError struct {
	Step  string        // what was being done: "setresuid", "bind", "pivot_root", ...
	Path  string        // the object: a path, user, group, capability, limit ("" if none)
	Errno syscall.Errno // 0 if the failure was not a syscall error
	Msg   string        // extra detail, may be empty
	// Mount is set for mount steps (exit status 251).
	Mount bool
}

func (e *StepError) Error() string {
	s := e.Step
	if e.Path != "" {
		s += " " + e.Path
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Errno != 0 {
		s += fmt.Sprintf(": %v (errno %d)", e.Errno, int(e.Errno))
	}
	return s
}

// Unwrap lets errors.Is(err, syscall.EPERM) and friends work.
func (e *StepError) Unwrap() error {
	if e.Errno == 0 {
		return nil
	}
	return e.Errno
}

// Errorf builds a StepError from a syscall error (any error wrapping a
// syscall.Errno contributes its errno).
func Errorf(step, path string, err error) *StepError {
	se := &StepError{Step: step, Path: path}
	var errno syscall.Errno
	if asErrno(err, &errno) {
		se.Errno = errno
	} else if err != nil {
		se.Msg = err.Error()
	}
	return se
}

// MountErrorf is Errorf for a mount step.
func MountErrorf(step, path string, err error) *StepError {
	se := Errorf(step, path, err)
	se.Mount = true
	return se
}

func asErrno(err error, out *syscall.Errno) bool {
	for err != nil {
		if e, ok := err.(syscall.Errno); ok {
			*out = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}
