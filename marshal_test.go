package minijail

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestMarshalRoundTrip(t *testing.T) {
	j := New()
	j.ChangeUser("nobody")
	j.ChangeGroup("nogroup")
	j.UseCaps(1 << 13)
	j.NoNewPrivs()
	j.Rlimit(7, 64, 64)
	j.NamespacePIDs()
	j.Bind("/usr", "/usr", false)
	j.UIDMap("")
	j.SetEnv([]string{"A=1"})
	if err := j.ParseSeccompFiltersFrom("x.policy", strings.NewReader("@default allow\n")); err != nil {
		// A policy that allows everything by default may be refused; use a
		// plain allowlist instead.
		if err := j.ParseSeccompFiltersFrom("x.policy", strings.NewReader("read: 1\nwrite: 1\n")); err != nil {
			t.Fatal(err)
		}
	}
	b, err := j.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	k, err := UnmarshalJail(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(k.cfg, j.cfg) {
		t.Fatalf("round trip changed the jail:\n got %+v\nwant %+v", k.cfg, j.cfg)
	}
	if !k.sc.use || !k.envSet {
		t.Fatal("round trip lost the filter or the environment")
	}
	if _, err := UnmarshalJail(b[:len(b)-1]); err == nil {
		t.Fatal("truncated jail accepted")
	}
}

// TestUnmarshaledJailRuns checks a decoded jail really applies.
func TestUnmarshaledJailRuns(t *testing.T) {
	j := New()
	j.ChangeUID(65534)
	j.NoNewPrivs()
	b, err := j.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	k, err := UnmarshalJail(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := k.Command(context.Background(), "/usr/bin/id", "-u").Output()
	if err != nil || strings.TrimSpace(string(out)) != "65534" {
		t.Fatalf("id -u = %q, %v", out, err)
	}
}

func FuzzUnmarshalJail(f *testing.F) {
	j := New()
	j.ChangeUID(65534)
	j.NamespacePIDs()
	j.Bind("/usr", "", true)
	b, _ := j.MarshalBinary()
	f.Add(b)
	f.Add([]byte("MJGC"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := UnmarshalJail(b)
		if err != nil {
			return
		}
		if _, err := k.MarshalBinary(); err != nil {
			t.Fatalf("a decoded jail does not encode: %v", err)
		}
	})
}
