package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/minijail-go/minijail/internal/getopt"
)

// configHeader is the first line every configuration file starts with.
const configHeader = "% minijail-config-file v0"

// maxConfigSize bounds what --config reads.
const maxConfigSize = 1 << 20

// ConfigEntry is one "key = value" or bare "key" line of a configuration
// file.
type ConfigEntry struct {
	Key      string
	Value    string
	HasValue bool
	Line     int // where the (possibly continued) line starts
}

// ConfigError is a configuration file that does not parse.
type ConfigError struct {
	File string
	Line int
	Msg  string
}

// Error returns "FILE:LINE: message".
func (e *ConfigError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// isBlank is isblank(3): space or tab.
func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func strip(s string) string {
	i, j := 0, len(s)
	for i < j && isBlank(s[i]) {
		i++
	}
	for j > i && isBlank(s[j-1]) {
		j--
	}
	return s[i:j]
}

// ParseConfig parses a configuration file in upstream's v0 format: the
// header line, then one entry per line, "key = value" or a bare key, with
// blank lines, '#' comment lines and lines continued by a final '\'
// (joined with one space). Keys and values are stripped of surrounding
// blanks; a value, when '=' is present, must not be empty. Keys are not
// checked against the option table here.
func ParseConfig(name string, data []byte) ([]ConfigEntry, error) {
	lines := strings.Split(string(data), "\n")
	// A final newline ends the last line; it does not start another.
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 || lines[0] != configHeader {
		return nil, &ConfigError{File: name, Line: 1, Msg: fmt.Sprintf("the first line must be %q", configHeader)}
	}
	var out []ConfigEntry
	for i := 1; i < len(lines); i++ {
		start := i + 1
		line := lines[i]
		for strings.HasSuffix(line, "\\") {
			if i+1 >= len(lines) {
				return nil, &ConfigError{File: name, Line: start, Msg: "the last line ends with a continuation '\\'"}
			}
			i++
			line = line[:len(line)-1] + " " + lines[i]
		}
		line = strip(line)
		if line == "" || line[0] == '#' {
			continue
		}
		key, value, has := strings.Cut(line, "=")
		key = strip(key)
		if key == "" {
			return nil, &ConfigError{File: name, Line: start, Msg: fmt.Sprintf("no option name in %q", line)}
		}
		if has {
			value = strip(value)
			if value == "" {
				return nil, &ConfigError{File: name, Line: start, Msg: fmt.Sprintf("%q has '=' but no value", key)}
			}
		}
		out = append(out, ConfigEntry{Key: key, Value: value, HasValue: has, Line: start})
	}
	return out, nil
}

// readConfig applies the entries of a configuration file at the point
// where --config appears.
func (s *state) readConfig(path string) error {
	if s.inConfig {
		return errors.New("--config: nested configuration files are not allowed")
	}
	if path == "" {
		return errors.New("--config needs a file name")
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	f.Close()
	if err != nil {
		return fmt.Errorf("--config: read %s: %w", path, err)
	}
	if len(data) > maxConfigSize {
		return &ConfigError{File: path, Msg: fmt.Sprintf("larger than %d bytes", maxConfigSize)}
	}
	entries, err := ParseConfig(path, data)
	if err != nil {
		return err
	}
	s.inConfig = true
	defer func() { s.inConfig = false }()
	for _, e := range entries {
		d := lookupKey(e.Key)
		if d == nil {
			return &ConfigError{File: path, Line: e.Line, Msg: fmt.Sprintf("unknown option %q", e.Key)}
		}
		switch {
		case d.arg == getopt.NoArgument && e.HasValue:
			return &ConfigError{File: path, Line: e.Line, Msg: fmt.Sprintf("option %q takes no value", e.Key)}
		case d.arg == getopt.RequiredArgument && !e.HasValue:
			return &ConfigError{File: path, Line: e.Line, Msg: fmt.Sprintf("option %q needs a value (%s = VALUE)", e.Key, e.Key)}
		}
		if err := s.handle(d, e.Value, e.HasValue); err != nil {
			var ce *ConfigError
			if errors.As(err, &ce) {
				return err
			}
			return &ConfigError{File: path, Line: e.Line, Msg: err.Error()}
		}
		if s.done != nil {
			return nil
		}
	}
	return nil
}

// genConfig renders the recorded options as upstream's --gen-config does.
func (s *state) genConfig() (*Plan, error) {
	var b bytes.Buffer
	b.WriteString(configHeader + "\n\n")
	for _, r := range s.recorded {
		if !r.hasArg {
			b.WriteString(r.key + "\n")
			continue
		}
		if r.arg == "" || strip(r.arg) != r.arg || strings.ContainsAny(r.arg, "\n") || strings.HasSuffix(r.arg, "\\") {
			return nil, fmt.Errorf("--gen-config: the value %q of %s cannot be written to a configuration file (empty, surrounding blanks, a newline or a final '\\')", r.arg, r.key)
		}
		fmt.Fprintf(&b, "%s = %s\n", r.key, r.arg)
	}
	return &Plan{Action: ActionGenConfig, GenConfigPath: s.genPath, GenConfig: b.Bytes()}, nil
}
