package seccomp

import (
	"strconv"
	"strings"
)

// A test is one 32-bit comparison the generated code can make: a
// conditional jump (jeq, jgt, jge or jset with a constant) on the
// seccomp_data word at index word (byte offset 4*word).
type test struct {
	word int
	op   uint16
	k    uint32
}

// wordFacts is what the path to a node has established about one word.
type wordFacts struct {
	min, max uint32
	clear    uint32   // bits known to be zero
	ne       []uint32 // values known not to be the word's
	anySet   []uint32 // masks known to share a bit with the word
}

var freeWord = wordFacts{max: ^uint32(0)}

// facts is the knowledge along a path: per-word facts and which word A
// holds (-1: none the code can rely on).
type facts struct {
	words map[int]wordFacts
	a     int
}

func emptyFacts() facts { return facts{a: -1} }

func (f facts) word(w int) wordFacts {
	if wf, ok := f.words[w]; ok {
		return wf
	}
	return freeWord
}

// with returns a copy of f with word w's facts replaced.
func (f facts) with(w int, wf wordFacts) facts {
	m := make(map[int]wordFacts, len(f.words)+1)
	for k, v := range f.words {
		m[k] = v
	}
	m[w] = wf
	return facts{words: m, a: f.a}
}

// eval decides t from the facts: 1 true, 0 false, -1 unknown.
func (wf wordFacts) eval(t test) int {
	// No value with the clear bits set exceeds ^clear.
	wf.max = min(wf.max, ^wf.clear)
	switch t.op {
	case opJEQ:
		if t.k < wf.min || t.k > wf.max || t.k&wf.clear != 0 {
			return 0
		}
		for _, v := range wf.ne {
			if v == t.k {
				return 0
			}
		}
		if wf.min == wf.max {
			return 1
		}
	case opJGT:
		if wf.min > t.k {
			return 1
		}
		if wf.max <= t.k {
			return 0
		}
	case opJGE:
		if wf.min >= t.k {
			return 1
		}
		if wf.max < t.k {
			return 0
		}
	case opJSET:
		if t.k&^wf.clear == 0 {
			return 0
		}
		if wf.min == wf.max {
			if wf.min&t.k != 0 {
				return 1
			}
			return 0
		}
		for _, m := range wf.anySet {
			if m&^t.k == 0 {
				return 1
			}
		}
		// Every value sharing no bit with t.k is at most ^t.k.
		if wf.min > ^t.k {
			return 1
		}
	}
	return -1
}

// learn returns the facts about the word after t came out as outcome.
func (wf wordFacts) learn(t test, outcome bool) wordFacts {
	out := wf
	out.ne = append([]uint32(nil), wf.ne...)
	out.anySet = append([]uint32(nil), wf.anySet...)
	switch t.op {
	case opJEQ:
		if outcome {
			out.min, out.max = t.k, t.k
		} else {
			switch t.k {
			case out.min:
				out.min++
			case out.max:
				out.max--
			default:
				if len(out.ne) < 16 {
					out.ne = append(out.ne, t.k)
				}
			}
		}
	case opJGT:
		if outcome {
			out.min = max(out.min, t.k+1)
		} else {
			out.max = min(out.max, t.k)
		}
	case opJGE:
		if outcome {
			out.min = max(out.min, t.k)
		} else {
			out.max = min(out.max, t.k-1)
		}
	case opJSET:
		if outcome {
			if len(out.anySet) < 16 {
				out.anySet = append(out.anySet, t.k)
			}
		} else {
			out.clear |= t.k
		}
	}
	return out
}

// key serializes the facts about the words in mask (and A when it holds
// one of them) for memoization.
func (f facts) key(mask uint32) string {
	var sb strings.Builder
	if f.a >= 0 && mask&(1<<f.a) != 0 {
		sb.WriteString("A")
		sb.WriteString(strconv.Itoa(f.a))
	}
	for w := 0; w < SeccompDataSize/4; w++ {
		if mask&(1<<w) == 0 {
			continue
		}
		wf, ok := f.words[w]
		if !ok {
			continue
		}
		sb.WriteString("|")
		sb.WriteString(strconv.Itoa(w))
		sb.WriteString(":")
		sb.WriteString(strconv.FormatUint(uint64(wf.min), 16))
		sb.WriteString(",")
		sb.WriteString(strconv.FormatUint(uint64(wf.max), 16))
		sb.WriteString(",")
		sb.WriteString(strconv.FormatUint(uint64(wf.clear), 16))
		for _, v := range wf.ne {
			sb.WriteString("n")
			sb.WriteString(strconv.FormatUint(uint64(v), 16))
		}
		for _, v := range wf.anySet {
			sb.WriteString("s")
			sb.WriteString(strconv.FormatUint(uint64(v), 16))
		}
	}
	return sb.String()
}

// project keeps only the facts about words in mask.
func (f facts) project(mask uint32) facts {
	out := facts{a: f.a}
	if out.a >= 0 && mask&(1<<out.a) == 0 {
		out.a = -1
	}
	for w, wf := range f.words {
		if mask&(1<<w) != 0 {
			if out.words == nil {
				out.words = make(map[int]wordFacts)
			}
			out.words[w] = wf
		}
	}
	return out
}
