package state

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Memory is the store in memory: the same items, conditions and results as
// Store, second for second. The scaler's unit tests run on it; the
// conformance suite in this package's tests runs against both. It is safe for
// concurrent use.
type Memory struct {
	mu    sync.Mutex
	items map[string]*item
}

// item mirrors a DynamoDB item: each field is an attribute, present when
// its has flag is set.
type item struct {
	owner        string
	hasOwner     bool
	expiresAt    int64 // epoch seconds
	hasExpiresAt bool
	version      int64
	hasVersion   bool
	doc          []byte
	revision     int64
	hasRevision  bool
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{items: map[string]*item{}} }

// expired is the conditions' "expiresAt < :now": false when the item has
// no expiresAt.
func (it *item) expired(now time.Time) bool { return it.hasExpiresAt && it.expiresAt < now.Unix() }

// Lock is Store.Lock.
func (m *Memory) Lock(_ context.Context, key, owner string, ttl time.Duration, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if it, ok := m.items[key]; ok && !it.expired(now) {
		return false, nil
	}
	m.items[key] = &item{owner: owner, hasOwner: true, expiresAt: now.Add(ttl).Unix(), hasExpiresAt: true}
	return true, nil
}

// Unlock is Store.Unlock.
func (m *Memory) Unlock(_ context.Context, key, owner string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if it, ok := m.items[key]; ok && it.hasOwner && it.owner == owner {
		delete(m.items, key)
	}
	return nil
}

// Once is Store.Once.
func (m *Memory) Once(_ context.Context, key string, ttl time.Duration, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if it, ok := m.items[key]; ok && !it.expired(now) {
		return false, nil
	}
	m.items[key] = &item{expiresAt: now.Add(ttl).Unix(), hasExpiresAt: true}
	return true, nil
}

// Forget is Store.Forget.
func (m *Memory) Forget(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.items, key)
	return nil
}

// Advance is Store.Advance.
func (m *Memory) Advance(_ context.Context, key string, version int64, ttl time.Duration, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[key]
	if !ok {
		it = &item{}
		m.items[key] = it
	} else if it.hasVersion && it.version >= version && !it.expired(now) {
		return false, nil
	}
	it.version, it.hasVersion = version, true
	it.expiresAt, it.hasExpiresAt = now.Add(ttl).Unix(), true
	return true, nil
}

// Load is Store.Load.
func (m *Memory) Load(_ context.Context, key string) ([]byte, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[key]
	if !ok {
		return nil, 0, nil
	}
	var doc []byte
	if len(it.doc) > 0 {
		doc = append([]byte(nil), it.doc...)
	}
	return doc, it.revision, nil
}

// Save is Store.Save.
func (m *Memory) Save(_ context.Context, key string, doc []byte, revision int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[key]
	stored := ok && it.hasRevision
	if revision == 0 && stored || revision != 0 && (!stored || it.revision != revision) {
		return fmt.Errorf("save %s at revision %d in memory: %w", key, revision, ErrConflict)
	}
	next := &item{revision: revision + 1, hasRevision: true}
	if len(doc) > 0 {
		next.doc = append([]byte(nil), doc...)
	}
	m.items[key] = next
	return nil
}
