package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"
)

// geoEntry is one line of libphonenumber's geocoding data: every number whose
// E.164 digits start with Prefix was first allocated in the place Desc names
// (the longest matching prefix wins).
type geoEntry struct {
	Prefix string
	Desc   string
}

// readGeocoding decodes the prefix→description file that nyaruka/phonenumbers
// embeds (data/prefix_to_geocodings/<lang>.txt.gz). The format is the one the
// library's loadPrefixMap reads: a little-endian uint32 byte count, that many
// bytes of newline-separated interned values, a uint32 mapping count, then per
// mapping a uvarint prefix delta and a little-endian uint16 value index.
func readGeocoding(path string) ([]geoEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	r := bytes.NewReader(raw)

	var valueSize uint32
	if err := binary.Read(r, binary.LittleEndian, &valueSize); err != nil {
		return nil, fmt.Errorf("read %s: value size: %w", path, err)
	}
	valueBytes := make([]byte, valueSize)
	if _, err := io.ReadFull(r, valueBytes); err != nil {
		return nil, fmt.Errorf("read %s: values: %w", path, err)
	}
	values := strings.Split(string(valueBytes), "\n")

	var count uint32
	if err := binary.Read(r, binary.LittleEndian, &count); err != nil {
		return nil, fmt.Errorf("read %s: mapping count: %w", path, err)
	}
	entries := make([]geoEntry, 0, count)
	prefix := uint64(0)
	for range count {
		diff, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, fmt.Errorf("read %s: prefix: %w", path, err)
		}
		prefix += diff
		var index uint16
		if err := binary.Read(r, binary.LittleEndian, &index); err != nil {
			return nil, fmt.Errorf("read %s: value index: %w", path, err)
		}
		if int(index) >= len(values) {
			return nil, fmt.Errorf("read %s: value index %d out of range", path, index)
		}
		entries = append(entries, geoEntry{Prefix: fmt.Sprint(prefix), Desc: values[index]})
	}
	return entries, nil
}
