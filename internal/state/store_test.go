package state

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/tandem-ecs/tandem/internal/sandbox/sandboxtest"
)

// storeAPI is what both stores offer; the conformance suite runs on it.
type storeAPI interface {
	Lock(ctx context.Context, key, owner string, ttl time.Duration, now time.Time) (bool, error)
	Unlock(ctx context.Context, key, owner string) error
	Once(ctx context.Context, key string, ttl time.Duration, now time.Time) (bool, error)
	Forget(ctx context.Context, key string) error
	Advance(ctx context.Context, key string, version int64, ttl time.Duration, now time.Time) (bool, error)
	Load(ctx context.Context, key string) ([]byte, int64, error)
	Save(ctx context.Context, key string, doc []byte, revision int64) error
}

var (
	_ storeAPI = (*Store)(nil)
	_ storeAPI = (*Memory)(nil)
)

func TestMain(m *testing.M) { sandboxtest.Main(m, "state") }

// newDynamo returns a Store on a fresh table in a reset moto, through the
// sandbox's proxy.
func newDynamo(t *testing.T) (*Store, aws.Config) {
	t.Helper()
	ctx := t.Context()
	sb := sandboxtest.New(t)
	cfg := sb.Config()
	if err := CreateTable(ctx, cfg, "tandem-state"); err != nil {
		t.Fatal(err)
	}
	return New(cfg, "tandem-state"), cfg
}

func TestDynamoStore(t *testing.T) {
	testStore(t, func(t *testing.T) storeAPI {
		s, _ := newDynamo(t)
		return s
	})
}

func TestMemoryStore(t *testing.T) {
	testStore(t, func(*testing.T) storeAPI { return NewMemory() })
}

// testStore is the conformance suite: every behaviour the orchestrator
// relies on, for any implementation.
func testStore(t *testing.T, newStore func(t *testing.T) storeAPI) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	const ttl = time.Minute

	t.Run("lock", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		steps := []struct {
			what  string
			do    func() (bool, error)
			wantB bool
		}{
			{"a takes the lease", func() (bool, error) { return s.Lock(ctx, "lock#demo", "a", ttl, now) }, true},
			{"b cannot", func() (bool, error) { return s.Lock(ctx, "lock#demo", "b", ttl, now.Add(30*time.Second)) }, false},
			{"a cannot take it twice", func() (bool, error) { return s.Lock(ctx, "lock#demo", "a", ttl, now) }, false},
			{"b cannot at the last second", func() (bool, error) { return s.Lock(ctx, "lock#demo", "b", ttl, now.Add(ttl)) }, false},
			{"another key is free", func() (bool, error) { return s.Lock(ctx, "lock#other", "b", ttl, now) }, true},
			{"b takes it once expired", func() (bool, error) { return s.Lock(ctx, "lock#demo", "b", ttl, now.Add(ttl+time.Second)) }, true},
		}
		for _, st := range steps {
			got, err := st.do()
			if err != nil || got != st.wantB {
				t.Fatalf("%s: got %v, %v; want %v", st.what, got, err, st.wantB)
			}
		}
		// a's lease is over: its Unlock must not release b's.
		if err := s.Unlock(ctx, "lock#demo", "a"); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Lock(ctx, "lock#demo", "c", ttl, now.Add(ttl+2*time.Second)); err != nil || ok {
			t.Errorf("c took the lease after a's stale Unlock: %v, %v", ok, err)
		}
		if err := s.Unlock(ctx, "lock#demo", "b"); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Lock(ctx, "lock#demo", "c", ttl, now.Add(ttl+2*time.Second)); err != nil || !ok {
			t.Errorf("c did not get the lease b released: %v, %v", ok, err)
		}
		if err := s.Unlock(ctx, "lock#never", "a"); err != nil {
			t.Errorf("Unlock of a lease never taken = %v, want nil", err)
		}
	})

	t.Run("once", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		want := []struct {
			at   time.Time
			want bool
		}{{now, true}, {now, false}, {now.Add(ttl), false}, {now.Add(ttl + time.Second), true}}
		for i, w := range want {
			if got, err := s.Once(ctx, "once#event-1", ttl, w.at); err != nil || got != w.want {
				t.Fatalf("Once #%d at +%v = %v, %v; want %v", i, w.at.Sub(now), got, err, w.want)
			}
		}
		if got, _ := s.Once(ctx, "once#event-2", ttl, now); !got {
			t.Error("another key is not first")
		}
		if err := s.Forget(ctx, "once#event-2"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Once(ctx, "once#event-2", ttl, now); err != nil || !got {
			t.Errorf("Once after Forget = %v, %v; want true", got, err)
		}
		if err := s.Forget(ctx, "once#never"); err != nil {
			t.Errorf("Forget of an absent key = %v, want nil", err)
		}
	})

	t.Run("advance", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		steps := []struct {
			version int64
			at      time.Time
			want    bool
		}{
			{5, now, true},
			{5, now, false},
			{3, now, false},
			{7, now, true},
			{6, now.Add(ttl), false},
			{1, now.Add(ttl + time.Second), true}, // the stored 7 expired
			{1, now.Add(ttl + time.Second), false},
			{-2, now.Add(3 * ttl), true},
		}
		for i, st := range steps {
			if got, err := s.Advance(ctx, "seq#demo", st.version, ttl, st.at); err != nil || got != st.want {
				t.Fatalf("step %d: Advance(%d) at +%v = %v, %v; want %v", i, st.version, st.at.Sub(now), got, err, st.want)
			}
		}
	})

	t.Run("load and save", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		doc, rev, err := s.Load(ctx, "doc#demo")
		if err != nil || doc != nil || rev != 0 {
			t.Fatalf("Load of nothing = %q, %d, %v; want nil, 0, nil", doc, rev, err)
		}
		if err := s.Save(ctx, "doc#demo", []byte(`{"v":1}`), 0); err != nil {
			t.Fatal(err)
		}
		if err := s.Save(ctx, "doc#demo", []byte(`{"v":"late"}`), 0); !errors.Is(err, ErrConflict) {
			t.Errorf("second first Save = %v, want ErrConflict", err)
		}
		doc, rev, err = s.Load(ctx, "doc#demo")
		if err != nil || string(doc) != `{"v":1}` || rev != 1 {
			t.Fatalf("Load = %q, %d, %v; want {\"v\":1}, 1", doc, rev, err)
		}
		doc[0] = 'X' // the caller's copy
		if err := s.Save(ctx, "doc#demo", []byte(`{"v":2}`), 1); err != nil {
			t.Fatal(err)
		}
		for _, stale := range []int64{1, 3} {
			if err := s.Save(ctx, "doc#demo", []byte(`{"v":"stale"}`), stale); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "doc#demo") {
				t.Errorf("Save at revision %d = %v, want ErrConflict naming the key", stale, err)
			}
		}
		doc, rev, err = s.Load(ctx, "doc#demo")
		if err != nil || string(doc) != `{"v":2}` || rev != 2 {
			t.Errorf("Load = %q, %d, %v; want {\"v\":2}, 2", doc, rev, err)
		}
		if err := s.Save(ctx, "doc#demo", nil, 2); err != nil {
			t.Fatal(err)
		}
		if doc, rev, err = s.Load(ctx, "doc#demo"); err != nil || doc != nil || rev != 3 {
			t.Errorf("Load after saving an empty document = %q, %d, %v; want nil, 3", doc, rev, err)
		}
		if err := s.Save(ctx, "doc#new", []byte("x"), 4); !errors.Is(err, ErrConflict) {
			t.Errorf("Save at revision 4 of nothing = %v, want ErrConflict", err)
		}
	})

	t.Run("races have one winner", func(t *testing.T) {
		s, ctx := newStore(t), t.Context()
		const n = 16
		race := func(name string, try func(i int) (bool, error)) {
			t.Helper()
			for round := range 3 {
				var wg sync.WaitGroup
				wins := make([]bool, n)
				errs := make([]error, n)
				for i := range n {
					wg.Go(func() { wins[i], errs[i] = try(round*n + i) })
				}
				wg.Wait()
				won := 0
				for i := range n {
					if errs[i] != nil {
						t.Fatalf("%s round %d: %v", name, round, errs[i])
					}
					if wins[i] {
						won++
					}
				}
				if won != 1 {
					t.Errorf("%s round %d: %d of %d won, want exactly 1", name, round, won, n)
				}
			}
		}
		race("Lock", func(i int) (bool, error) {
			return s.Lock(ctx, fmt.Sprintf("lock#%d", i/n), fmt.Sprintf("owner-%d", i), ttl, now)
		})
		race("Once", func(i int) (bool, error) {
			return s.Once(ctx, fmt.Sprintf("once#%d", i/n), ttl, now)
		})
		race("Advance", func(i int) (bool, error) {
			return s.Advance(ctx, fmt.Sprintf("seq#%d", i/n), 42, ttl, now)
		})
		race("Save", func(i int) (bool, error) {
			// Everyone saves a fresh key at revision 0: one creates it.
			err := s.Save(ctx, fmt.Sprintf("doc#%d", i/n), []byte(fmt.Sprintf("from %d", i)), 0)
			if errors.Is(err, ErrConflict) {
				return false, nil
			}
			return err == nil, err
		})
		// Read-modify-write loops that retry on ErrConflict lose no update.
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				for {
					doc, rev, err := s.Load(ctx, "doc#counter")
					if err != nil {
						t.Error(err)
						return
					}
					err = s.Save(ctx, "doc#counter", append(doc, 'x'), rev)
					if err == nil {
						return
					}
					if !errors.Is(err, ErrConflict) {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		doc, rev, err := s.Load(ctx, "doc#counter")
		if err != nil || len(doc) != n || rev != n {
			t.Errorf("counter = %q at revision %d (%v), want %d x's at revision %d", doc, rev, err, n, n)
		}
	})
}

// TestCreateTable checks the table's shape, that creating it again is
// harmless, and that errors keep the SDK error.
func TestCreateTable(t *testing.T) {
	_, cfg := newDynamo(t)
	ctx := t.Context()
	if err := CreateTable(ctx, cfg, "tandem-state"); err != nil {
		t.Fatalf("CreateTable of an existing table = %v, want nil", err)
	}
	db := dynamodb.NewFromConfig(cfg)
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("tandem-state")})
	if err != nil {
		t.Fatal(err)
	}
	tb := out.Table
	if len(tb.KeySchema) != 1 || aws.ToString(tb.KeySchema[0].AttributeName) != "pk" || tb.KeySchema[0].KeyType != types.KeyTypeHash {
		t.Errorf("key schema %+v, want pk HASH only", tb.KeySchema)
	}
	if tb.BillingModeSummary == nil || tb.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing %+v, want PAY_PER_REQUEST", tb.BillingModeSummary)
	}
	ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("tandem-state")})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != "expiresAt" {
		t.Errorf("TTL %+v, want ENABLED on expiresAt", d)
	}

	s := New(cfg, "missing-table")
	_, err = s.Lock(ctx, "lock#demo", "a", time.Minute, time.Now())
	var nf *types.ResourceNotFoundException
	var api smithy.APIError
	if !errors.As(err, &nf) || !errors.As(err, &api) || !strings.Contains(err.Error(), "lock lock#demo in missing-table") {
		t.Errorf("Lock on a missing table = %v, want a wrapped ResourceNotFoundException", err)
	}
}

// TestItemsAsDocumented reads the items the Store writes with the SDK, so
// that the table's content is what the package comment says.
func TestItemsAsDocumented(t *testing.T) {
	s, cfg := newDynamo(t)
	ctx := t.Context()
	now := time.Unix(1_800_000_000, 0)
	if _, err := s.Lock(ctx, "lock#demo", "req-1", time.Minute, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Advance(ctx, "seq#demo", 9, time.Hour, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "doc#demo", []byte("{}"), 0); err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	want := map[string]map[string]string{
		"lock#demo": {"pk": "S:lock#demo", "owner": "S:req-1", "expiresAt": "N:1800000060"},
		"seq#demo":  {"pk": "S:seq#demo", "version": "N:9", "expiresAt": "N:1800003600"},
		"doc#demo":  {"pk": "S:doc#demo", "doc": "B:{}", "revision": "N:1"},
	}
	for key, attrs := range want {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tandem-state"), Key: map[string]types.AttributeValue{"pk": str(key)}})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for k, v := range out.Item {
			switch v := v.(type) {
			case *types.AttributeValueMemberS:
				got[k] = "S:" + v.Value
			case *types.AttributeValueMemberN:
				got[k] = "N:" + v.Value
			case *types.AttributeValueMemberB:
				got[k] = "B:" + string(v.Value)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(attrs) {
			t.Errorf("item %s = %v, want %v", key, got, attrs)
		}
	}
}
