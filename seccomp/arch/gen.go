package arch

// The tables in ztables_*_gen.go and zconstants_common.go are generated from the
// golang.org/x/sys version that go.mod requires, plus the supplementary
// names in internal/tablegen/supp.go.
//go:generate go run ./internal/mktables -out .
