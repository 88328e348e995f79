// Package store keeps the notes in a SQLite database, through the cgo
// driver github.com/mattn/go-sqlite3.
package store

import (
	"context"
	"database/sql"

	_ "github.com/mattn/go-sqlite3"
)

// Note is one note.
type Note struct {
	ID   int64  `json:"id"`
	Text string `json:"text"`
}

// Store is the notes database.
type Store struct{ db *sql.DB }

// Open opens (and creates) the database file at path.
func Open(path string) (*Store, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL")
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)`); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// SQLiteVersion is the version of the SQLite library linked in.
func (s *Store) SQLiteVersion() string {
	var v string
	if err := s.db.QueryRow(`SELECT sqlite_version()`).Scan(&v); err != nil {
		return "error: " + err.Error()
	}
	return v
}

// Add stores a note.
func (s *Store) Add(ctx context.Context, text string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO notes (text) VALUES (?)`, text)
	return err
}

// List returns the notes, oldest first.
func (s *Store) List(ctx context.Context) ([]Note, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, text FROM notes ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	notes := []Note{}
	for rows.Next() {
		var n Note
		if err := rows.Scan(&n.ID, &n.Text); err != nil {
			return nil, err
		}
		notes = append(notes, n)
	}
	return notes, rows.Err()
}
