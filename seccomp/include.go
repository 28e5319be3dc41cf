package seccomp

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// DefaultMaxIncludeDepth is how deeply @include statements may nest when
// ParseOptions.MaxIncludeDepth is 0: the top file is at depth 0 and each
// @include adds one.
const DefaultMaxIncludeDepth = 10

// maxFileSize bounds every policy and frequency file read.
const maxFileSize = 16 << 20

// maxIncludes bounds the number of files one policy may pull in (counting
// repeats), so that files including each other many times over cannot make
// the parser read an exponential number of them.
const maxIncludes = 1024

// source is one file being read: the name shown in positions (the path as
// the policy names it) and the path actually opened (under the sysroot).
type source struct {
	display string
	real    string
	info    os.FileInfo // nil when unknown (a reader given to Parse)
}

// resolve maps a path written in an @include or @frequency statement of
// from to the file to open. Absolute paths are taken under the sysroot;
// relative ones ("./x", "../x") are relative to the including file's
// directory, as upstream's Python compiler does.
func resolve(from source, path, sysroot string) source {
	if filepath.IsAbs(path) {
		s := source{display: filepath.Clean(path), real: filepath.Clean(path)}
		if sysroot != "" {
			s.real = filepath.Join(sysroot, path)
		}
		return s
	}
	return source{
		display: filepath.Join(filepath.Dir(from.display), path),
		real:    filepath.Join(filepath.Dir(from.real), path),
	}
}

// readSource opens and reads src, filling in its FileInfo. what names the
// statement for the error ("@include", "@frequency").
func readSource(src *source, what string, at Pos) ([]byte, error) {
	f, err := os.Open(src.real)
	if err != nil {
		return nil, &PolicyError{Pos: at, Msg: fmt.Sprintf("cannot %s %s: %v", what, src.display, unwrapPathError(err)), Err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, &PolicyError{Pos: at, Msg: fmt.Sprintf("cannot %s %s: %v", what, src.display, err), Err: err}
	}
	if !fi.Mode().IsRegular() {
		return nil, errorf(at, "cannot %s %s: not a regular file", what, src.display)
	}
	src.info = fi
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &PolicyError{Pos: at, Msg: fmt.Sprintf("cannot %s %s: %v", what, src.display, err), Err: err}
	}
	if len(data) > maxFileSize {
		return nil, errorf(at, "cannot %s %s: file larger than %d bytes", what, src.display, maxFileSize)
	}
	return data, nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// include parses and lowers the file named by an @include statement of the
// file on top of the include stack.
func (l *lowerer) include(st *IncludeStmt) error {
	from := l.stack[len(l.stack)-1]
	if len(l.stack) > l.maxDepth {
		return errorf(st.Pos, "@include nested too deep (at most %d levels)", l.maxDepth)
	}
	if l.includes++; l.includes > maxIncludes {
		return errorf(st.Pos, "too many @include statements (more than %d files read)", maxIncludes)
	}
	src := resolve(from, st.Path, l.opts.Sysroot)
	data, err := readSource(&src, "@include", st.PathPos)
	if err != nil {
		return err
	}
	for _, open := range l.stack {
		same := open.real == src.real
		if open.info != nil && src.info != nil && os.SameFile(open.info, src.info) {
			same = true
		}
		if same {
			chain := make([]string, 0, len(l.stack)+1)
			for _, s := range l.stack {
				chain = append(chain, s.display)
			}
			chain = append(chain, src.display)
			return errorf(st.PathPos, "include recursion: %s", strings.Join(chain, " -> "))
		}
	}
	return l.lowerSource(src, data)
}
