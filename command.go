package minijail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Cmd is a program to run in a jail, shaped like os/exec.Cmd: set its
// fields, then Start and Wait, or Run, Output or CombinedOutput.
type Cmd struct {
	// Path is the program to run; Command looks a bare name up in PATH.
	Path string
	// Args holds the command line, Args[0] included.
	Args []string
	// Env is the target's environment; nil means the jail's (see SetEnv).
	Env []string
	// Dir is the working directory of the target (inside the jail's view).
	Dir string
	// Stdin, Stdout and Stderr are the target's standard streams; nil
	// connects them to the null device, as in os/exec. An *os.File is
	// passed as it is; anything else goes through a pipe.
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Process is the started jail, after Start.
	Process *Process

	jail *Jail
	ctx  context.Context
	err  error // from the PATH look-up
}

// ExitError is the error of Wait, Run and Output when the jail's status is
// not zero.
type ExitError struct {
	// Status is the jail's status (DESIGN 4: the exit code, 253 for a seccomp
	// kill, 128+n for signal n).
	Status int
	// Stderr holds the target's standard error when Output collected it.
	Stderr []byte
}

func (e *ExitError) Error() string { return fmt.Sprintf("jail exited with status %d", e.Status) }

// Command returns a Cmd that runs name with args in the jail j. Cancelling
// ctx kills the jail. A name without a slash is looked up in PATH, as
// exec.Command does.
func (j *Jail) Command(ctx context.Context, name string, args ...string) *Cmd {
	if ctx == nil {
		panic("minijail: Command with a nil context")
	}
	c := &Cmd{Path: name, Args: append([]string{name}, args...), jail: j, ctx: ctx}
	if !strings.Contains(name, "/") {
		p, err := exec.LookPath(name)
		if err != nil {
			c.err = err
		} else {
			c.Path = p
		}
	}
	return c
}

// Start starts the jail and returns once the target was executed, or with
// the set-up step that failed (a *SetupError; the target never ran).
func (c *Cmd) Start() error {
	if c.err != nil {
		return c.err
	}
	if c.Process != nil {
		return errors.New("minijail: already started")
	}
	p, err := c.jail.start(c.ctx, c.Path, c.Args, c.Dir, stdio{c.Stdin, c.Stdout, c.Stderr}, c.Env)
	if err != nil {
		return err
	}
	c.Process = p
	return nil
}

// Wait waits for the jail to end and for the copying of its streams. A
// non-zero status is an *ExitError; a cancelled context is reported as
// ctx.Err() wrapped with the status.
func (c *Cmd) Wait() error {
	if c.Process == nil {
		return errors.New("minijail: not started")
	}
	status, err := c.Process.Wait()
	if err != nil {
		return err
	}
	if status != 0 {
		ee := &ExitError{Status: status}
		if cerr := c.ctx.Err(); cerr != nil {
			return fmt.Errorf("%w: %w", cerr, ee)
		}
		return ee
	}
	return nil
}

// Run starts the jail and waits for it.
func (c *Cmd) Run() error {
	if err := c.Start(); err != nil {
		return err
	}
	return c.Wait()
}

// Output runs the jail and returns its standard output. When Stderr is
// nil, a failure's *ExitError carries what the target wrote there.
func (c *Cmd) Output() ([]byte, error) {
	if c.Stdout != nil {
		return nil, errors.New("minijail: Stdout already set")
	}
	var out, errb bytes.Buffer
	c.Stdout = &out
	captureErr := c.Stderr == nil
	if captureErr {
		c.Stderr = &errb
	}
	err := c.Run()
	var ee *ExitError
	if captureErr && errors.As(err, &ee) {
		ee.Stderr = errb.Bytes()
	}
	return out.Bytes(), err
}

// CombinedOutput runs the jail and returns its standard output and standard
// error together.
func (c *Cmd) CombinedOutput() ([]byte, error) {
	if c.Stdout != nil || c.Stderr != nil {
		return nil, errors.New("minijail: Stdout or Stderr already set")
	}
	var b bytes.Buffer
	c.Stdout, c.Stderr = &b, &b
	err := c.Run()
	return b.Bytes(), err
}
