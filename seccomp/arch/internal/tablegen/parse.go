// Package tablegen builds the syscall and constant tables of package arch
// from the generated linux files of golang.org/x/sys/unix.
//
// The x/sys files are themselves produced from the kernel's uapi headers and
// the C library's headers, so the names they hold are the C names (with a
// small number of renamings that linux/types.go records and that are undone
// here). Names that x/sys lacks come from the hand-written table in supp.go.
package tablegen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// cName matches a C-style all-caps identifier (the only kind of name the
// tables hold).
var cName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// constDecl is one constant declaration of a parsed Go file.
type constDecl struct {
	name string
	expr ast.Expr
	pos  token.Position
}

// parseConstDecls returns every top-level constant declaration in the Go
// source src (named by path in errors), in file order.
func parseConstDecls(path string, src []byte) ([]constDecl, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	var out []constDecl
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			if len(vs.Values) != len(vs.Names) {
				// iota-style implicit repetition; the linux files do not
				// use it for the names we read.
				continue
			}
			for i, n := range vs.Names {
				out = append(out, constDecl{name: n.Name, expr: vs.Values[i], pos: fset.Position(n.Pos())})
			}
		}
	}
	return out, nil
}

// errNotInteger reports a constant whose value is not an integer (a string,
// for instance); such constants are skipped.
var errNotInteger = fmt.Errorf("not an integer constant")

// evalInt evaluates an integer constant expression of the forms the x/sys
// linux files use: literals, unary minus and complement, conversions such as
// syscall.Errno(0x1), parentheses, the usual binary operators, and names of
// constants already evaluated (env).
func evalInt(e ast.Expr, env map[string]*big.Int) (*big.Int, error) {
	switch e := e.(type) {
	case *ast.BasicLit:
		switch e.Kind {
		case token.INT:
			s := strings.ReplaceAll(e.Value, "_", "")
			v, ok := new(big.Int).SetString(s, 0)
			if !ok {
				return nil, fmt.Errorf("bad integer literal %s", e.Value)
			}
			return v, nil
		case token.CHAR:
			r, _, _, err := strconv.UnquoteChar(e.Value[1:len(e.Value)-1], '\'')
			if err != nil {
				return nil, fmt.Errorf("bad character literal %s: %w", e.Value, err)
			}
			return big.NewInt(int64(r)), nil
		default:
			return nil, errNotInteger
		}
	case *ast.ParenExpr:
		return evalInt(e.X, env)
	case *ast.UnaryExpr:
		x, err := evalInt(e.X, env)
		if err != nil {
			return nil, err
		}
		switch e.Op {
		case token.SUB:
			return x.Neg(x), nil
		case token.ADD:
			return x, nil
		case token.XOR:
			return x.Not(x), nil
		}
		return nil, fmt.Errorf("unsupported unary operator %s", e.Op)
	case *ast.BinaryExpr:
		x, err := evalInt(e.X, env)
		if err != nil {
			return nil, err
		}
		y, err := evalInt(e.Y, env)
		if err != nil {
			return nil, err
		}
		z := new(big.Int)
		switch e.Op {
		case token.OR:
			return z.Or(x, y), nil
		case token.AND:
			return z.And(x, y), nil
		case token.ADD:
			return z.Add(x, y), nil
		case token.SUB:
			return z.Sub(x, y), nil
		case token.MUL:
			return z.Mul(x, y), nil
		case token.SHL:
			return z.Lsh(x, uint(y.Uint64())), nil
		case token.SHR:
			return z.Rsh(x, uint(y.Uint64())), nil
		}
		return nil, fmt.Errorf("unsupported binary operator %s", e.Op)
	case *ast.CallExpr:
		// A conversion: T(x) or pkg.T(x).
		if len(e.Args) != 1 {
			return nil, fmt.Errorf("unsupported call expression")
		}
		return evalInt(e.Args[0], env)
	case *ast.Ident:
		if v, ok := env[e.Name]; ok {
			return new(big.Int).Set(v), nil
		}
		return nil, fmt.Errorf("reference to unknown constant %s", e.Name)
	}
	return nil, fmt.Errorf("unsupported expression %T", e)
}

// toUint64 converts the C value v to the 64-bit pattern the tables store:
// negative values are sign-extended two's complement.
func toUint64(v *big.Int) (uint64, error) {
	if v.IsInt64() {
		return uint64(v.Int64()), nil
	}
	if v.IsUint64() {
		return v.Uint64(), nil
	}
	return 0, fmt.Errorf("value %s does not fit in 64 bits", v)
}
