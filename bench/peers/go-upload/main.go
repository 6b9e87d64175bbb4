// Command go-upload is the upload peer of bench/upload.py: a Go server (standard library only)
// doing exactly the work of Argus' `PUT /api/v1/batches/{id}/files/{name}` on the bytes, so
// that Argus' upload can be measured against the best peer doing the same work (record 0044):
// a bearer token checked, the body's length bounded, the body streamed into a temp
// file created O_EXCL in <dir>/.incoming while SHA-256 sees every byte, writeback started every
// 8 MiB, one fsync, the digest compared with X-Checksum-SHA256, the file renamed into place and
// the directory fsynced. No database row: that is Argus' business, not the bytes' (the bench
// times ~200 MB bodies, where one INSERT is noise).
//
// Three ways to move the bytes (-mode):
//   - sequential: the idiomatic Go handler, io.CopyBuffer with a 1 MiB buffer into
//     io.MultiWriter(hash, file): receive, hash, write one after the other on one goroutine.
//   - pipelined: the handler goroutine fills rotating 1 MiB buffers from the socket while a
//     second goroutine hashes and writes the previous ones (Argus' event loop + writer thread,
//     without Python's per-chunk bytes objects).
//   - parallel: the same, with the hash and the write in two goroutines side by side (three
//     stages): what Argus measured and rejected for itself (records 0038, 0040), tried here
//     without Python's hand-offs.
package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

const (
	bufferSize = 1 << 20 // 1 MiB, as Argus' write batch (record 0034)
	writeback  = 8 << 20 // start the writeback every 8 MiB, as Argus' blob store
	// The pipelined mode's buffers: one being filled, one being hashed and written, one spare
	// so the receiver never waits on a buffer the writer is about to give back.
	pipelineBuffers    = 3
	syncFileRangeWrite = 2 // SYNC_FILE_RANGE_WRITE: start writeback, do not wait
)

const modes = "sequential|pipelined|parallel"

type server struct {
	dir      string
	token    []byte
	maxBytes int64
	mode     string
}

func main() {
	port := flag.Int("port", 0, "port to listen on (127.0.0.1 only)")
	dir := flag.String("dir", "", "folder the uploads land in (temp files in <dir>/.incoming)")
	mode := flag.String("mode", "sequential", modes)
	maxBytes := flag.Int64("max-bytes", 20<<30, "largest body accepted (413 beyond)")
	flag.Parse()
	token := os.Getenv("GO_UPLOAD_TOKEN") // not a flag: argv is visible to every local user
	if *dir == "" || token == "" || !slices.Contains(strings.Split(modes, "|"), *mode) {
		log.Fatal("usage: GO_UPLOAD_TOKEN=… go-upload -dir DIR -port N [-mode " + modes + "]")
	}
	if err := os.MkdirAll(filepath.Join(*dir, ".incoming"), 0o755); err != nil {
		log.Fatal(err)
	}
	s := &server{dir: *dir, token: []byte("Bearer " + token), maxBytes: *maxBytes,
		mode: *mode}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /upload/{name}", s.upload)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)) // loopback only
	log.Fatal(http.ListenAndServe(addr, mux))
}

func reply(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// fail answers Argus' error shape: {"error": {"code": …, "message": …}}.
func fail(w http.ResponseWriter, status int, code, message string) {
	reply(w, status, map[string]map[string]string{"error": {"code": code, "message": message}})
}

func (s *server) upload(w http.ResponseWriter, r *http.Request) {
	// Constant time: how much of a guess matched must not show in the answer's timing.
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), s.token) != 1 {
		fail(w, http.StatusUnauthorized, "unauthorized", "a valid bearer token is required")
		return
	}
	name := r.PathValue("name")
	if name == "" || strings.HasPrefix(name, ".") || strings.ContainsAny(name, "/\\\x00") {
		fail(w, http.StatusBadRequest, "invalid_input", "the file name is not allowed")
		return
	}
	// A declared length past the bound is refused before a byte is stored; a chunked body
	// (r.ContentLength -1) is bounded while it streams, as Argus' body guard does.
	if r.ContentLength < 0 {
		r.Body = http.MaxBytesReader(w, r.Body, s.maxBytes)
	} else if r.ContentLength > s.maxBytes {
		fail(w, http.StatusRequestEntityTooLarge, "payload_too_large",
			fmt.Sprintf("request body is %d bytes; the limit is %d", r.ContentLength, s.maxBytes))
		return
	}
	temp, err := s.createTemp()
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "storage_unavailable", err.Error())
		return
	}
	published := false
	defer func() { // nothing half-written: any exit before the rename removes the temp file
		if !published {
			temp.Close()
			os.Remove(temp.Name())
		}
	}()
	out := &syncingFile{file: temp}
	digest := sha256.New()
	var size int64
	hash := func(b []byte) error { digest.Write(b); return nil } // never fails
	write := func(b []byte) error { _, err := out.Write(b); return err }
	switch s.mode {
	case "pipelined":
		size, err = pipelinedCopy(r.Body, func(b []byte) error { hash(b); return write(b) })
	case "parallel":
		size, err = pipelinedCopy(r.Body, hash, write)
	default:
		size, err = io.CopyBuffer(io.MultiWriter(digest, out), r.Body, make([]byte, bufferSize))
	}
	if err == nil && r.ContentLength >= 0 && size != r.ContentLength {
		err = io.ErrUnexpectedEOF
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		fail(w, http.StatusRequestEntityTooLarge, "payload_too_large",
			fmt.Sprintf("the body exceeds the limit of %d bytes", s.maxBytes))
		return
	}
	var disk storageError
	if errors.As(err, &disk) { // the disk failed (full, quota, I/O): retry later, as Argus' 503
		fail(w, http.StatusServiceUnavailable, "storage_unavailable", disk.Error())
		return
	}
	if err != nil { // the body ended early or the client went away
		fail(w, http.StatusBadRequest, "invalid_input", "the body could not be read: "+err.Error())
		return
	}
	// One fsync at the end: the writeback started every 8 MiB left little for it to flush.
	if err := temp.Sync(); err != nil {
		fail(w, http.StatusServiceUnavailable, "storage_unavailable", err.Error())
		return
	}
	sum := hex.EncodeToString(digest.Sum(nil))
	if expected := r.Header.Get("X-Checksum-SHA256"); expected != "" && !strings.EqualFold(expected, sum) {
		fail(w, http.StatusUnprocessableEntity, "integrity_error",
			"X-Checksum-SHA256 is "+expected+"; the body's SHA-256 is "+sum)
		return
	}
	if err := s.publish(temp, name); err != nil {
		fail(w, http.StatusServiceUnavailable, "storage_unavailable", err.Error())
		return
	}
	published = true
	reply(w, http.StatusCreated, map[string]any{"size": size, "sha256": sum})
}

// createTemp makes a new file O_EXCL under .incoming: two uploads never share a temp file.
func (s *server) createTemp() (*os.File, error) {
	random := make([]byte, 16)
	rand.Read(random)
	path := filepath.Join(s.dir, ".incoming", hex.EncodeToString(random)+".part")
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}

// publish closes the finished temp file, renames it into place and fsyncs the folder, so a
// crash cannot lose the rename once the client was told 201.
func (s *server) publish(temp *os.File, name string) error {
	if err := temp.Close(); err != nil {
		return err
	}
	target := filepath.Join(s.dir, name)
	if err := os.Rename(temp.Name(), target); err != nil {
		return err
	}
	dir, err := os.Open(s.dir)
	if err == nil {
		err = dir.Sync()
		dir.Close()
	}
	if err != nil { // a rename that may not survive a crash is not answered 201: undo it
		os.Remove(target)
	}
	return err
}

// syncingFile asks the kernel to start writing back each 8 MiB as it is written (a hint; the
// final fsync reports any error), so dirty pages never pile up until the fsync.
type syncingFile struct {
	file    *os.File
	written int64
	flushed int64
}

// storageError marks a failed write to the disk, as opposed to a failed read of the body.
type storageError struct{ error }

func (f *syncingFile) Write(p []byte) (int, error) {
	n, err := f.file.Write(p)
	if err != nil {
		return n, storageError{err}
	}
	f.written += int64(n)
	if f.written-f.flushed >= writeback {
		_ = syscall.SyncFileRange(int(f.file.Fd()), f.flushed, f.written-f.flushed, syncFileRangeWrite)
		f.flushed = f.written
	}
	return n, nil
}

// pipelinedCopy receives into rotating 1 MiB buffers on this goroutine while each stage (its
// own goroutine) consumes every filled buffer, in order. A buffer is reused once every stage
// has handed it back, so at most pipelineBuffers MiB are held per upload. One stage (hash, then
// write) is Argus' event loop + writer thread; two stages hash and write side by side.
func pipelinedCopy(body io.Reader, stages ...func([]byte) error) (int64, error) {
	type lane struct{ in, back chan []byte }
	lanes := make([]lane, len(stages))
	results := make(chan error, len(stages))
	stopped := make(chan struct{}) // closed when a stage failed: stop receiving at once
	var stopOnce sync.Once
	for i, stage := range stages {
		l := lane{make(chan []byte, pipelineBuffers), make(chan []byte, pipelineBuffers)}
		lanes[i] = l
		go func() {
			var failed error
			for buffer := range l.in {
				if failed == nil {
					if failed = stage(buffer); failed != nil {
						stopOnce.Do(func() { close(stopped) })
					}
				}
				l.back <- buffer // handed back even after a failure: the receiver never waits
			}
			results <- failed
		}()
	}
	var size int64
	var readErr error
	for held := 0; ; {
		var buffer []byte
		if held < pipelineBuffers {
			buffer, held = make([]byte, bufferSize), held+1
		} else {
			for _, l := range lanes { // the oldest buffer, once every stage is done with it
				buffer = <-l.back
			}
		}
		select {
		case <-stopped:
		default:
			// Fill the whole buffer (as Argus gathers ~1 MiB batches): one hand-off per MiB,
			// not one per socket read.
			n, err := io.ReadFull(body, buffer[:cap(buffer)])
			size += int64(n)
			if n > 0 {
				for _, l := range lanes {
					l.in <- buffer[:n]
				}
			}
			if err == nil {
				continue
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				readErr = err
			}
		}
		break
	}
	for _, l := range lanes {
		close(l.in)
	}
	for range lanes {
		if err := <-results; err != nil {
			readErr = err // a failed write outranks what the receive saw
		}
	}
	return size, readErr
}
