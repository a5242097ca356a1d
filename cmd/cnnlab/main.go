// Command cnnlab runs cnnlab's data tools, training experiments and
// benchmarks from the shell.
//
// Usage:
//
//	cnnlab <command> [subcommand] [flags]
//
// Run "cnnlab help" for the list of commands and "cnnlab <command> -h" for
// the flags of one. Errors are printed as one line on stderr and the exit
// status is non-zero.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one CLI command (e.g. "train") or a subcommand (e.g. "data info",
// registered with the name "data info").
type command struct {
	name    string                                      // "train" or "data info"
	summary string                                      // one line for "cnnlab help"
	usage   string                                      // flags synopsis, e.g. "--data PATH [--n 8]"
	run     func(fs *flag.FlagSet, args []string) error // parses args with fs and runs
}

var commands = map[string]*command{}

// register adds c to the CLI; each command's file calls it from init.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("cnnlab: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// errUsage marks an error caused by bad arguments: it is printed on one
// line, followed by a pointer to the command's -h.
var errUsage = errors.New("usage")

// usageError returns an error for bad command-line arguments.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printHelp(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	// Longest match: "data info" before "data".
	var cmd *command
	var rest []string
	if len(args) >= 2 {
		if c, ok := commands[args[0]+" "+args[1]]; ok {
			cmd, rest = c, args[2:]
		}
	}
	if cmd == nil {
		if c, ok := commands[args[0]]; ok {
			cmd, rest = c, args[1:]
		}
	}
	if cmd == nil {
		if subs := subcommands(args[0]); len(subs) > 0 {
			if len(args) >= 2 && args[1] != "-h" && args[1] != "--help" && args[1] != "help" {
				fmt.Fprintf(stderr, "cnnlab: unknown command %q; %q has: %s\n", strings.Join(args[:2], " "), args[0], strings.Join(subs, ", "))
				return 2
			}
			fmt.Fprintf(stdout, "cnnlab %s: subcommands:\n", args[0])
			for _, s := range subs {
				c := commands[args[0]+" "+s]
				fmt.Fprintf(stdout, "  %-14s %s\n", s, c.summary)
			}
			if len(args) >= 2 {
				return 0
			}
			return 2
		}
		fmt.Fprintf(stderr, "cnnlab: unknown command %q (run \"cnnlab help\")\n", args[0])
		return 2
	}
	fs := flag.NewFlagSet("cnnlab "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "cnnlab %s: %s\n\nusage: cnnlab %s %s\n\n", cmd.name, cmd.summary, cmd.name, cmd.usage)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n == 0 {
			fmt.Fprintln(fs.Output(), "flags: none")
			return
		}
		fmt.Fprintln(fs.Output(), "flags:")
		fs.PrintDefaults()
	}
	err := cmd.run(fs, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "cnnlab %s: %s\nrun \"cnnlab %s -h\" for the flags\n", cmd.name,
			strings.TrimPrefix(err.Error(), errUsage.Error()+": "), cmd.name)
		return 2
	default:
		fmt.Fprintf(stderr, "cnnlab %s: %v\n", cmd.name, err)
		return 1
	}
}

// parseFlags parses args with fs and rejects positional arguments. Flag
// errors are returned as usage errors (the flag package's own printing is
// silenced); -h prints the command's usage and flags on stdout.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard) // one-line errors: we print them ourselves
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(os.Stdout)
			fs.Usage()
			return flag.ErrHelp
		}
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// subcommands returns the sorted subcommand names of group (e.g. "data").
func subcommands(group string) []string {
	var subs []string
	for name := range commands {
		if g, s, ok := strings.Cut(name, " "); ok && g == group {
			subs = append(subs, s)
		}
	}
	sort.Strings(subs)
	return subs
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "cnnlab: build, train and benchmark convolutional networks on CIFAR-10 with GoMLX.")
	fmt.Fprintln(w, "\nusage: cnnlab <command> [flags]    (cnnlab <command> -h for its flags)")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nenvironment: GOMLX_BACKEND selects the backend (go, go:parallelism=-1, xla:cpu, xla:cuda);")
	fmt.Fprintln(w, "CNNLAB_DATA sets the dataset cache folder.")
}
