// Command mktables writes the generated tables of package arch
// (ztables_<arch>_gen.go and zconstants_common.go) from the golang.org/x/sys
// module that the main module requires. Run it through `go generate` in
// seccomp/arch.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/minijail-go/minijail/seccomp/arch/internal/tablegen"
)

func main() {
	out := flag.String("out", ".", "directory to write the generated files to")
	xsys := flag.String("xsys", "", "root of the golang.org/x/sys module (default: ask the go command)")
	version := flag.String("version", "", "version of the x/sys module named by -xsys")
	flag.Parse()
	if err := run(*out, *xsys, *version); err != nil {
		fmt.Fprintln(os.Stderr, "mktables:", err)
		os.Exit(1)
	}
}

func run(out, xsys, version string) error {
	var src tablegen.Source
	if xsys != "" {
		if version == "" {
			return fmt.Errorf("-xsys needs -version")
		}
		src = tablegen.Source{Dir: xsys, Version: version}
	} else {
		var err error
		if src, err = tablegen.Locate("."); err != nil {
			return err
		}
	}
	files, err := tablegen.Generate(src)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(out, n), files[n], 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", n, err)
		}
	}
	return nil
}
