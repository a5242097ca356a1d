package gocheck

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	ex, err := ListExports(".", "fmt", "github.com/cnnlab/cnnlab/pkg/nn")
	if err != nil {
		t.Fatal(err)
	}
	const header = "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\n\t\"github.com/cnnlab/cnnlab/pkg/nn\"\n)\n\n"
	for _, tc := range []struct {
		name, body string
		unused     bool
		want       string // "" for no error
	}{
		{name: "ok", body: `var m = nn.Sequential("m", nn.Input(32, 32, 3), nn.Flatten(), nn.Dense(10))
func main() { fmt.Println(m.Summary(os.Stdout)) }`},
		{name: "README's old sample", body: `var m = nn.Sequential(nn.Input(32, 32, 3), nn.Flatten())
func main() { fmt.Println(m, os.Args) }`, want: "cannot use nn.Input"},
		{name: "unused accepted", body: `func main() { x := 1 }`, unused: true},
		{name: "unused refused", body: `func main() { x := 1 }`, want: "declared and not used"},
		{name: "unknown name", body: `func main() { nn.Conv3D(1) }`, unused: true, want: "undefined: nn.Conv3D"},
		{name: "syntax", body: `func main() { ) }`, unused: true, want: "expected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(ex, map[string]string{"main.go": header + tc.body}, Options{Unused: tc.unused})
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
	if got := Imports(header); strings.Join(got, " ") != "fmt github.com/cnnlab/cnnlab/pkg/nn os" {
		t.Errorf("Imports = %q", got)
	}
}
