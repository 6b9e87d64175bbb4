// Command go-mcap-count counts the messages of an MCAP file with the Go module
// github.com/foxglove/mcap/go/mcap, for bench/compare.py (the Go peer of Argus' parser).
// It times only open + reading every message in file order (through the summary's chunk
// index, the reader's default, reusing one Message as the module's NextInto allows) and
// prints {"messages":N,"bytes":B,"seconds":S}, the shape of bench/peers/foxglove_count.cpp.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/foxglove/mcap/go/mcap"
)

func count(path string) (messages, bytes uint64, err error) {
	file, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer file.Close()
	reader, err := mcap.NewReader(file)
	if err != nil {
		return 0, 0, err
	}
	defer reader.Close()
	iterator, err := reader.Messages(mcap.InOrder(mcap.FileOrder))
	if err != nil {
		return 0, 0, err
	}
	var message mcap.Message
	for {
		_, _, read, err := iterator.NextInto(&message)
		if errors.Is(err, io.EOF) {
			return messages, bytes, nil
		}
		if err != nil {
			return messages, bytes, err
		}
		messages++
		bytes += uint64(len(read.Data))
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s FILE.mcap\n", os.Args[0])
		os.Exit(2)
	}
	start := time.Now()
	messages, bytes, err := count(os.Args[1])
	seconds := time.Since(start).Seconds()
	if err != nil {
		fmt.Fprintf(os.Stderr, "read failed after %d messages: %v\n", messages, err)
		os.Exit(1)
	}
	fmt.Printf("{\"messages\":%d,\"bytes\":%d,\"seconds\":%.9f}\n", messages, bytes, seconds)
}
