// Command minijail0 runs a program in a jail: a pure-Go, drop-in
// replacement for Google's minijail0, taking the same options.
//
// See internal/cli for the option handling, and the minijail package for
// the jail itself.
package main

import (
	"os"

	"github.com/minijail-go/minijail/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args, os.Stdout, os.Stderr))
}
