// Package state keeps tandem's decision state in one DynamoDB table: leases
// that serialize decisions per cluster (Lock), records of events already
// handled (Once), high-water marks of versioned events (Advance), and small
// documents updated with optimistic concurrency (Load, Save). Every write is
// a single conditional request, so two Lambdas racing for the same key
// cannot both win.
//
// The table has a partition key pk (String), no sort key, and DynamoDB TTL
// on expiresAt (Number, epoch seconds); CreateTable makes one. An item is
//
//	pk         the key
//	owner      (Lock) who holds the lease
//	expiresAt  (Lock, Once, Advance) epoch second after which the item is gone
//	version    (Advance) the highest version seen
//	doc        (Save) the document, Binary; absent when empty
//	revision   (Save) 1 for the first save, +1 for each
//
// DynamoDB deletes expired items lazily (within days), so every condition
// treats an item whose expiresAt has passed as absent; expiry is therefore
// exact to the second whatever the sweeper does. Keys of the different uses
// must not collide: callers prefix them (lock#, once#, …).
//
// Memory is the same store in memory, for unit tests and dry runs; one
// conformance suite runs against both.
package state

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrConflict is returned (wrapped) by Save when the document changed since
// it was loaded.
var ErrConflict = errors.New("state changed since it was loaded")

// Attribute names of an item.
const (
	attrKey       = "pk"
	attrOwner     = "owner"
	attrExpiresAt = "expiresAt"
	attrVersion   = "version"
	attrDoc       = "doc"
	attrRevision  = "revision"
)

type dynamoAPI interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Store is the decision state in a DynamoDB table. It is safe for
// concurrent use.
type Store struct {
	db    dynamoAPI
	table string
}

// New returns the store in table.
func New(cfg aws.Config, table string) *Store {
	return &Store{db: dynamodb.NewFromConfig(cfg), table: table}
}

// Lock takes the lease named key for owner until ttl has passed. It reports
// false (and no error) when the lease is held, by someone else or by owner
// itself: leases are not re-entrant.
func (s *Store) Lock(ctx context.Context, key, owner string, ttl time.Duration, now time.Time) (bool, error) {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{
			attrKey: str(key), attrOwner: str(owner), attrExpiresAt: epoch(now.Add(ttl)),
		},
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR expiresAt < :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": epoch(now)},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lock %s in %s: %w", key, s.table, err)
	}
	return true, nil
}

// Unlock releases the lease named key if owner still holds it. Not holding
// it (it expired and someone else took it, or it is gone) is no error.
func (s *Store) Unlock(ctx context.Context, key, owner string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       map[string]types.AttributeValue{attrKey: str(key)},
		ConditionExpression:       aws.String("#owner = :owner"),
		ExpressionAttributeNames:  map[string]string{"#owner": attrOwner},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": str(owner)},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("unlock %s in %s: %w", key, s.table, err)
	}
	return nil
}

// Once records key and reports whether this was the first time since the
// last record expired (after ttl) or was forgotten.
func (s *Store) Once(ctx context.Context, key string, ttl time.Duration, now time.Time) (bool, error) {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      map[string]types.AttributeValue{attrKey: str(key), attrExpiresAt: epoch(now.Add(ttl))},
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR expiresAt < :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": epoch(now)},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record %s in %s: %w", key, s.table, err)
	}
	return true, nil
}

// Forget deletes key, to undo Once when processing failed.
func (s *Store) Forget(ctx context.Context, key string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table),
		Key:       map[string]types.AttributeValue{attrKey: str(key)},
	})
	if err != nil {
		return fmt.Errorf("forget %s in %s: %w", key, s.table, err)
	}
	return nil
}

// Advance stores version for key if it is newer than the stored one (or
// the stored one expired), keeping it for ttl, and reports whether it was.
func (s *Store) Advance(ctx context.Context, key string, version int64, ttl time.Duration, now time.Time) (bool, error) {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.table),
		Key:                 map[string]types.AttributeValue{attrKey: str(key)},
		UpdateExpression:    aws.String("SET #version = :v, expiresAt = :exp"),
		ConditionExpression: aws.String("attribute_not_exists(#version) OR #version < :v OR expiresAt < :now"),
		ExpressionAttributeNames: map[string]string{
			"#version": attrVersion,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":v": num(version), ":exp": epoch(now.Add(ttl)), ":now": epoch(now),
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("advance %s to %d in %s: %w", key, version, s.table, err)
	}
	return true, nil
}

// Load returns the document stored under key and its revision; nil and 0
// when there is none.
func (s *Store) Load(ctx context.Context, key string) ([]byte, int64, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{attrKey: str(key)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, 0, fmt.Errorf("load %s from %s: %w", key, s.table, err)
	}
	var doc []byte
	if b, ok := out.Item[attrDoc].(*types.AttributeValueMemberB); ok && len(b.Value) > 0 {
		doc = b.Value
	}
	var revision int64
	if n, ok := out.Item[attrRevision].(*types.AttributeValueMemberN); ok {
		if revision, err = strconv.ParseInt(n.Value, 10, 64); err != nil {
			return nil, 0, fmt.Errorf("load %s from %s: revision %q: %w", key, s.table, n.Value, err)
		}
	}
	return doc, revision, nil
}

// Save stores doc under key as revision+1 if the stored revision is still
// revision (0: nothing saved yet). When someone saved in between, the error
// wraps ErrConflict: load again, decide again, save again.
func (s *Store) Save(ctx context.Context, key string, doc []byte, revision int64) error {
	item := map[string]types.AttributeValue{attrKey: str(key), attrRevision: num(revision + 1)}
	if len(doc) > 0 {
		item[attrDoc] = &types.AttributeValueMemberB{Value: doc}
	}
	in := &dynamodb.PutItemInput{
		TableName:                aws.String(s.table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#revision)"),
		ExpressionAttributeNames: map[string]string{"#revision": attrRevision},
	}
	if revision != 0 {
		in.ConditionExpression = aws.String("#revision = :rev")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":rev": num(revision)}
	}
	_, err := s.db.PutItem(ctx, in)
	if isConditionFailed(err) {
		return fmt.Errorf("save %s at revision %d in %s: %w", key, revision, s.table, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("save %s in %s: %w", key, s.table, err)
	}
	return nil
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// epoch is t in whole seconds since the epoch, as DynamoDB TTL wants.
func epoch(t time.Time) types.AttributeValue { return num(t.Unix()) }
