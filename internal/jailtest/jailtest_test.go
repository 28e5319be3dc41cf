package jailtest

import (
	"strings"
	"testing"
)

const sample = `22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard
28 27 0:25 / /mnt/with\040space ro,nosuid,nodev,relatime - tmpfs tmp\134fs ro,size=4k,mode=755
`

func TestParseMountInfo(t *testing.T) {
	mi, err := ParseMountInfo(sample)
	if err != nil || len(mi) != 3 {
		t.Fatalf("ParseMountInfo: %v %v", mi, err)
	}
	m, ok := Find(mi, "/mnt/with space")
	if !ok || !m.Has("ro") || !m.Has("nodev") || m.Has("rw") || m.FSType != "tmpfs" || m.Source != `tmp\fs` {
		t.Errorf("escaped entry: %+v", m)
	}
	if m.Super("size") != "4k" || m.Super("ro") != "true" || m.Super("absent") != "" {
		t.Errorf("superblock options: %v", m.SuperOpts)
	}
	if r, _ := Find(mi, "/"); r.FSType != "ext4" || r.Parent != "1" {
		t.Errorf("root entry with optional fields: %+v", r)
	}
	for _, bad := range []string{"1 2 3", "1 2 0:1 / /x rw - tmpfs"} {
		if _, err := ParseMountInfo(bad); err == nil {
			t.Errorf("ParseMountInfo(%q) accepted", bad)
		}
	}
	if got := unescape(`a\012b\01x\\`); got != "a\nb\\01x\\\\" {
		t.Errorf("unescape: %q", got)
	}
}

func FuzzParseMountInfo(f *testing.F) {
	f.Add(sample)
	f.Add("1 2 3 4 5 6 - a b c")
	f.Add(`1 2 0:1 / /\101 rw - x y z`)
	f.Fuzz(func(t *testing.T, s string) {
		mi, err := ParseMountInfo(s)
		if err != nil {
			return
		}
		for _, m := range mi {
			if strings.Contains(m.MountPoint, "\n") && !strings.Contains(s, `\012`) {
				t.Fatalf("newline from nowhere in %q", m.MountPoint)
			}
		}
	})
}
