//go:build !amd64

package main

// start exists on amd64 only (as assembly); elsewhere the program is an
// ordinary Go program and this is never the entry point.
func start() { main() }
