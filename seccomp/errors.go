package seccomp

import (
	"errors"
	"fmt"
	"strings"
)

// PolicyError is an error in a policy file (or a file it includes), with the
// position it was found at. Its Error method formats it as
// "file:line:col: message".
type PolicyError struct {
	Pos Pos
	Msg string
	// Line is the text of the physical line Pos points into, when known.
	Line string
	// Err is an underlying cause (an I/O error, for example), or nil.
	Err error
}

// Error implements error.
func (e *PolicyError) Error() string {
	return e.Pos.String() + ": " + e.Msg
}

// Detail returns the error followed by the offending line and a caret
// under the column, for showing to a person.
func (e *PolicyError) Detail() string {
	if e.Line == "" {
		return e.Error()
	}
	pad := make([]byte, 0, e.Pos.Col)
	for i := 0; i < e.Pos.Col-1 && i < len(e.Line); i++ {
		if e.Line[i] == '\t' {
			pad = append(pad, '\t')
		} else {
			pad = append(pad, ' ')
		}
	}
	return e.Error() + "\n    " + e.Line + "\n    " + string(pad) + "^"
}

// attachLine fills in the Line of a *PolicyError positioned in the file
// name whose text is src.
func attachLine(err error, name string, src []byte) error {
	pe, ok := AsPolicyError(err)
	if !ok || pe.Line != "" || pe.Pos.File != name || pe.Pos.Line < 1 {
		return err
	}
	text := string(src)
	for n := 1; n < pe.Pos.Line; n++ {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			return err
		}
		text = text[i+1:]
	}
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	pe.Line = strings.TrimSuffix(text, "\r")
	if len(pe.Line) > 512 {
		pe.Line = pe.Line[:512]
	}
	return err
}

// Unwrap returns the underlying cause, if any.
func (e *PolicyError) Unwrap() error { return e.Err }

// errorf builds a *PolicyError at pos.
func errorf(pos Pos, format string, args ...any) *PolicyError {
	return &PolicyError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// AsPolicyError reports whether err is (or wraps) a *PolicyError and returns it.
func AsPolicyError(err error) (*PolicyError, bool) {
	var pe *PolicyError
	if errors.As(err, &pe) {
		return pe, true
	}
	return nil, false
}
