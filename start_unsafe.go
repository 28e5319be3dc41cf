package minijail

import "unsafe"

func unsafePointer(p *[128]byte) unsafe.Pointer { return unsafe.Pointer(p) }
