package main

// start is the entry point when linked with -E=main.start: it writes the
// message and exits without starting the Go runtime.
func start()
