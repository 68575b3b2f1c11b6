package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/numberdesk/numberdesk/internal/inventory"
	"github.com/redis/go-redis/v9"
)

// ExtensionResult is the outcome of creating one extension.
type ExtensionResult struct {
	Extension inventory.Extension
	Err       error
}

// CreateExtensions creates up to MaxBatch extensions in one atomic step.
// Rows are validated first; an invalid row fails alone. Extension numbers
// that are not given are allocated (1001, 1002, ... skipping taken ones).
func (s *Store) CreateExtensions(ctx context.Context, accountID string, exts []inventory.Extension, opt BatchOptions) ([]ExtensionResult, bool, error) {
	if len(exts) > MaxBatch {
		return nil, false, fmt.Errorf("create extensions: %d rows, at most %d", len(exts), MaxBatch)
	}
	k := accountKeys(accountID)
	res := make([]ExtensionResult, len(exts))
	args := []any{opt.flags(), int64(s.retention.Seconds()), 0}
	var sent []int
	prefailed := opt.PreFailed
	for i, e := range exts {
		t, err := inventory.ParseExtensionType(string(e.Type))
		if err == nil {
			e.Type = t
			err = e.Validate()
		}
		res[i].Extension = e
		if err != nil {
			res[i].Err = err
			prefailed++
			continue
		}
		sent = append(sent, i)
		args = append(args, e.ExtensionNumber, string(e.Type), e.Name, strings.ToLower(e.Email), e.SiteID, strings.Join(searchTerms(e), rowSep))
	}
	args[2] = prefailed
	marker := k.meta
	if opt.MarkerID != "" {
		marker = k.batch(opt.MarkerID)
	}
	progress := k.meta
	if opt.ImportID != "" {
		progress = ImportKey(accountID, opt.ImportID)
	}
	v, err := scriptAddExt.Run(ctx, s.rdb, []string{k.meta, k.ext, k.extno, k.extemail, k.extsearch, k.site, marker, progress}, args...).Result()
	if err != nil {
		return nil, false, scriptError("create extensions", err)
	}
	replayed, out, err := outcomes(v)
	if err != nil {
		return nil, false, err
	}
	if len(out) != len(sent) {
		return nil, false, fmt.Errorf("create extensions: %d outcomes for %d rows", len(out), len(sent))
	}
	for j, i := range sent {
		f := strings.Split(out[j], sep)
		if f[0] == "ok" && len(f) == 3 {
			res[i].Extension.ID, res[i].Extension.ExtensionNumber = f[1], f[2]
			res[i].Extension.Email = strings.ToLower(res[i].Extension.Email)
			continue
		}
		msg := ""
		if len(f) > 1 {
			msg = strings.Join(f[1:], " ")
		}
		res[i].Err = &inventory.Error{Code: inventory.Code(f[0]), Message: msg}
	}
	return res, replayed, nil
}

// CreateExtension creates one extension.
func (s *Store) CreateExtension(ctx context.Context, accountID string, e inventory.Extension) (inventory.Extension, error) {
	res, _, err := s.CreateExtensions(ctx, accountID, []inventory.Extension{e}, BatchOptions{})
	if err != nil {
		return inventory.Extension{}, err
	}
	return res[0].Extension, res[0].Err
}

func parseExtension(id, rec string) inventory.Extension {
	f := strings.Split(rec, sep)
	for len(f) < extFields {
		f = append(f, "")
	}
	return inventory.Extension{ID: id, ExtensionNumber: f[eNumber], Type: inventory.ExtensionType(f[eType]), Name: f[eName], Email: f[eEmail], SiteID: f[eSite]}
}

// Extension returns an extension by id.
func (s *Store) Extension(ctx context.Context, accountID, id string) (inventory.Extension, error) {
	rec, err := s.rdb.HGet(ctx, accountKeys(accountID).ext, id).Result()
	if err == redis.Nil {
		return inventory.Extension{}, inventory.Errorf(inventory.CodeExtensionNotFound, "extension %s not found", id)
	}
	if err != nil {
		return inventory.Extension{}, fmt.Errorf("read extension %s: %w", id, err)
	}
	return parseExtension(id, rec), nil
}

// ExtensionByNumber returns an extension by its extension number.
func (s *Store) ExtensionByNumber(ctx context.Context, accountID, number string) (inventory.Extension, error) {
	id, err := s.rdb.HGet(ctx, accountKeys(accountID).extno, number).Result()
	if err == redis.Nil {
		return inventory.Extension{}, inventory.Errorf(inventory.CodeExtensionNotFound, "extension number %s not found", number)
	}
	if err != nil {
		return inventory.Extension{}, fmt.Errorf("read extension number %s: %w", number, err)
	}
	return s.Extension(ctx, accountID, id)
}

// ExtensionNumbers returns the numbers assigned to an extension, sorted.
func (s *Store) ExtensionNumbers(ctx context.Context, accountID, id string) ([]string, error) {
	ms, err := s.rdb.ZRangeByLex(ctx, accountKeys(accountID).extlinks, &redis.ZRangeBy{Min: "[" + id + "\x00", Max: "[" + id + "\x00\xff"}).Result()
	if err != nil {
		return nil, fmt.Errorf("read numbers of extension %s: %w", id, err)
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		_, out[i], _ = strings.Cut(m, "\x00")
	}
	return out, nil
}

// SearchExtensions lists extensions whose extension number, name, a word of
// the name, or email starts with q (case-insensitive), ordered by the
// matched text; an empty q lists all by extension number. after is the cursor a
// previous page returned ("" for the first page).
func (s *Store) SearchExtensions(ctx context.Context, accountID, q string, limit int, after string) ([]inventory.Extension, string, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	k := accountKeys(accountID)
	var ids []string
	var next string
	q = strings.ToLower(strings.TrimSpace(q))
	if strings.ContainsAny(q, "\x00\x1e\x1f") {
		return nil, "", inventory.Errorf(inventory.CodeInvalidField, "q contains a control character")
	}
	if q == "" {
		// Every extension has one "#<extension number>" entry: page those.
		min := "[#"
		if after != "" {
			min = "(" + after
		}
		terms, err := s.rdb.ZRangeByLex(ctx, k.extsearch, &redis.ZRangeBy{Min: min, Max: "(#\xff", Count: int64(limit)}).Result()
		if err != nil {
			return nil, "", fmt.Errorf("list extensions: %w", err)
		}
		for _, t := range terms {
			_, id, _ := strings.Cut(t, "\x00")
			ids = append(ids, id)
		}
		if len(terms) == limit {
			next = terms[len(terms)-1]
		}
		return s.extensionsByID(ctx, accountID, ids, next)
	}
	// An extension has several terms that may match q; it is listed at
	// the first of them only, so that no page repeats it.
	min := "[" + q
	if after != "" {
		min = "(" + after
	}
	for len(ids) < limit {
		terms, err := s.rdb.ZRangeByLex(ctx, k.extsearch, &redis.ZRangeBy{Min: min, Max: "[" + q + "\xff", Count: int64(limit)}).Result()
		if err != nil {
			return nil, "", fmt.Errorf("search extensions: %w", err)
		}
		if len(terms) == 0 {
			next = ""
			break
		}
		cand := make([]string, len(terms))
		for i, t := range terms {
			_, cand[i], _ = strings.Cut(t, "\x00")
		}
		recs, err := s.rdb.HMGet(ctx, k.ext, cand...).Result()
		if err != nil {
			return nil, "", fmt.Errorf("search extensions: %w", err)
		}
		for i, t := range terms {
			next = t
			rec, ok := recs[i].(string)
			term, _, _ := strings.Cut(t, "\x00")
			if !ok || firstMatch(parseExtension(cand[i], rec), q) != term {
				continue
			}
			ids = append(ids, cand[i])
			if len(ids) == limit {
				break
			}
		}
		if len(terms) < limit && len(ids) < limit {
			next = ""
			break
		}
		min = "(" + next
	}
	return s.extensionsByID(ctx, accountID, ids, next)
}

// searchTerms are an extension's lower-case search terms besides its
// extension number: its name, each word of the name, and its email.
func searchTerms(e inventory.Extension) []string {
	name := strings.ToLower(strings.TrimSpace(e.Name))
	terms := []string{name}
	if words := strings.Fields(name); len(words) > 1 {
		terms = append(terms, words...)
	}
	if e.Email != "" {
		terms = append(terms, strings.ToLower(e.Email))
	}
	return terms
}

// firstMatch returns the smallest of an extension's terms that starts
// with q.
func firstMatch(e inventory.Extension, q string) string {
	best := ""
	for _, t := range append(searchTerms(e), e.ExtensionNumber) {
		if strings.HasPrefix(t, q) && (best == "" || t < best) {
			best = t
		}
	}
	return best
}

func (s *Store) extensionsByID(ctx context.Context, accountID string, ids []string, next string) ([]inventory.Extension, string, error) {
	if len(ids) == 0 {
		return []inventory.Extension{}, "", nil
	}
	recs, err := s.rdb.HMGet(ctx, accountKeys(accountID).ext, ids...).Result()
	if err != nil {
		return nil, "", fmt.Errorf("read extensions: %w", err)
	}
	out := make([]inventory.Extension, 0, len(ids))
	for i, r := range recs {
		if v, ok := r.(string); ok {
			out = append(out, parseExtension(ids[i], v))
		}
	}
	return out, next, nil
}
