import CityModel
import GRDB

extension SQLiteStore {
    /// Schema migrations, in order. Never edit a shipped migration: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // One resident, reachable on several channel addresses; language and consent per address.
            try db.execute(sql: """
                CREATE TABLE contacts (
                    id INTEGER PRIMARY KEY,
                    locale TEXT,
                    created_at REAL NOT NULL
                );
                CREATE TABLE contact_addresses (
                    channel TEXT NOT NULL,
                    address TEXT NOT NULL,
                    contact_id INTEGER NOT NULL REFERENCES contacts(id),
                    opted_out INTEGER NOT NULL DEFAULT 0,
                    opted_out_at REAL,
                    PRIMARY KEY (channel, address)
                );
                CREATE TABLE sessions (
                    channel TEXT NOT NULL,
                    address TEXT NOT NULL,
                    data TEXT NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (channel, address)
                );
                -- Every message in and out. (channel, external_id) is unique: a redelivered webhook finds its row.
                CREATE TABLE messages (
                    id INTEGER PRIMARY KEY,
                    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
                    channel TEXT NOT NULL,
                    address TEXT NOT NULL,
                    external_id TEXT,
                    reply_to INTEGER REFERENCES messages(id),
                    inline INTEGER NOT NULL DEFAULT 0,
                    data TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    UNIQUE (channel, external_id)
                );
                CREATE INDEX messages_reply_to ON messages(reply_to);
                CREATE TABLE tickets (
                    id INTEGER PRIMARY KEY,
                    tracking_number TEXT NOT NULL UNIQUE,
                    service_code TEXT NOT NULL,
                    department TEXT NOT NULL,
                    jurisdiction TEXT NOT NULL,
                    status TEXT NOT NULL,
                    reporter_channel TEXT NOT NULL,
                    reporter_address TEXT NOT NULL,
                    latitude REAL,
                    longitude REAL,
                    requested_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    expected_at REAL,
                    closed_at REAL,
                    data TEXT NOT NULL
                );
                CREATE INDEX tickets_reporter ON tickets(reporter_channel, reporter_address);
                CREATE INDEX tickets_department ON tickets(department, updated_at);
                CREATE INDEX tickets_updated ON tickets(updated_at);
                CREATE TABLE ticket_events (
                    id INTEGER PRIMARY KEY,
                    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
                    kind TEXT NOT NULL,
                    at REAL NOT NULL,
                    data TEXT NOT NULL
                );
                CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id);
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY,
                    channel TEXT NOT NULL,
                    data TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    due_at REAL NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    state TEXT NOT NULL DEFAULT 'pending',
                    last_error TEXT,
                    provider_id TEXT,
                    delivery_status TEXT
                );
                CREATE INDEX outbox_due ON outbox(state, due_at);
                CREATE UNIQUE INDEX outbox_provider ON outbox(provider_id) WHERE provider_id IS NOT NULL;
                CREATE TABLE staff_tokens (
                    id INTEGER PRIMARY KEY,
                    token_hash TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL,
                    department TEXT,
                    label TEXT,
                    created_at REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2: outbox recipient") { db in
            // The recipient as a column, so one resident's messages leave strictly in order.
            try db.execute(sql: """
                ALTER TABLE outbox ADD COLUMN address TEXT NOT NULL DEFAULT '';
                UPDATE outbox SET address = COALESCE(json_extract(data, '$.to.address'), '');
                CREATE INDEX outbox_recipient ON outbox(channel, address, id);
                """)
        }
        migrator.registerMigration("v3: jobs, followers, surveys, contact time zone") { db in
            try db.execute(sql: """
                -- Scheduled work. dedupe_key is unique: scheduling the same job twice is a no-op.
                CREATE TABLE jobs (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL,
                    dedupe_key TEXT NOT NULL UNIQUE,
                    data TEXT NOT NULL,
                    due_at REAL NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    note TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX jobs_due ON jobs(state, due_at);
                CREATE TABLE ticket_followers (
                    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
                    channel TEXT NOT NULL,
                    address TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (ticket_id, channel, address)
                );
                CREATE TABLE surveys (
                    ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
                    state TEXT NOT NULL,
                    fixed TEXT,
                    rating INTEGER,
                    comment TEXT,
                    started_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                ALTER TABLE contacts ADD COLUMN time_zone TEXT;
                """)
        }
        migrator.registerMigration("v4: idempotent ticket creation") { db in
            try db.execute(sql: """
                -- A client's Idempotency-Key → the ticket its first request created: a retried request creates nothing.
                CREATE TABLE ticket_requests (
                    idempotency_key TEXT PRIMARY KEY,
                    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
                    created_at REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v5: emergencies answered") { db in
            try db.execute(sql: """
                -- Each "call 911" answer, for the KPIs (emergencies diverted): no address and no text.
                CREATE TABLE emergencies (
                    id INTEGER PRIMARY KEY,
                    trigger TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    locale TEXT,
                    created_at REAL NOT NULL
                );
                CREATE INDEX emergencies_created ON emergencies (created_at);
                """)
        }
        migrator.registerMigration("v6: session versions, events") { db in
            try db.execute(sql: """
                -- Each write of a session names the version it read: one resident's turns stay in order across processes.
                ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
                -- The engine events of each turn and job, for the KPIs and operators.
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY,
                    message_id INTEGER REFERENCES messages(id),
                    channel TEXT,
                    kind TEXT NOT NULL,
                    data TEXT NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE INDEX events_created ON events (created_at);
                """)
        }
        migrator.registerMigration("v7: tracking-number sequence") { db in
            try db.execute(sql: """
                -- Durable counters; 'tracking' indexes TrackingNumber(sequence:), reserved a block at a time.
                CREATE TABLE sequences (
                    name TEXT PRIMARY KEY,
                    next INTEGER NOT NULL
                );
                INSERT INTO sequences (name, next) VALUES ('tracking', 0);
                """)
        }
        migrator.registerMigration("v8: shared pacing") { db in
            try db.execute(sql: """
                -- Each sender's token bucket (SMS segments), shared by every process sending from it.
                CREATE TABLE pacing (
                    sender TEXT PRIMARY KEY,
                    tokens REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v9: operators' queue") { db in
            try db.execute(sql: """
                -- Residents who asked for a person: at most one open (waiting or active) per address.
                CREATE TABLE handoffs (
                    id INTEGER PRIMARY KEY,
                    channel TEXT NOT NULL,
                    address TEXT NOT NULL,
                    locale TEXT,
                    state TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'closed')),
                    department TEXT,
                    opened_at REAL NOT NULL,
                    last_message_at REAL NOT NULL,
                    assigned_to TEXT,
                    first_reply_at REAL,
                    closed_at REAL,
                    closed_by TEXT,
                    report TEXT
                );
                CREATE UNIQUE INDEX handoffs_open ON handoffs(channel, address) WHERE state != 'closed';
                CREATE INDEX handoffs_state ON handoffs(state, opened_at);
                -- A resident's messages in order, for the operators' transcript.
                CREATE INDEX messages_address ON messages(channel, address, id);
                -- Operators' internal notes on a conversation (the resident never sees them).
                CREATE TABLE handoff_notes (
                    id INTEGER PRIMARY KEY,
                    handoff_id INTEGER NOT NULL REFERENCES handoffs(id),
                    author TEXT NOT NULL,
                    text TEXT NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE INDEX handoff_notes_handoff ON handoff_notes(handoff_id, id);
                -- The languages an operator answers in (comma-separated codes; empty: any).
                ALTER TABLE staff_tokens ADD COLUMN languages TEXT NOT NULL DEFAULT '';
                """)
        }
        migrator.registerMigration("v10: open tickets on the map") { db in
            // Each open ticket with a point carries its cell — its service and a square of about 220 m — in a
            // covering index, so the open tickets of one service near a new report are a few short index ranges
            // (the 3×3 to 4×4 cells around it), whatever else the database holds. A ticket leaves the index when it
            // closes (its cell is cleared) and comes back if reopened. (An R*Tree of points was tried first: with a
            // million open tickets it took 6–15 ms per lookup here, this 1.)
            try db.execute(sql: """
                CREATE TABLE ticket_services (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);
                ALTER TABLE tickets ADD COLUMN open_cell INTEGER;
                CREATE INDEX tickets_open_cells ON tickets(open_cell, latitude, longitude, requested_at) WHERE open_cell IS NOT NULL;
                """)
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, service_code, latitude, longitude FROM tickets
                WHERE status != 'closed' AND latitude IS NOT NULL AND longitude IS NOT NULL
                """)
            for row in rows {
                let service: String = row[1]
                try db.execute(sql: "INSERT OR IGNORE INTO ticket_services (code) VALUES (?)", arguments: [service])
                let id = try Int64.fetchOne(db, sql: "SELECT id FROM ticket_services WHERE code = ?", arguments: [service]) ?? 0
                let cell = TicketCells.cell(service: id, Coordinate(latitude: row[2], longitude: row[3]))
                try db.execute(sql: "UPDATE tickets SET open_cell = ? WHERE id = ?", arguments: [cell, row[0] as Int64])
            }
        }
        migrator.registerMigration("v11: the KPIs' columns") { db in
            // What the KPIs group and time by, as columns in a covering index (a million tickets are read in a second
            // without touching their JSON): the resident's first contact, language, channel, area, how often reopened.
            try db.execute(sql: """
                ALTER TABLE tickets ADD COLUMN first_contact_at REAL;
                ALTER TABLE tickets ADD COLUMN locale TEXT NOT NULL DEFAULT '';
                ALTER TABLE tickets ADD COLUMN channel TEXT NOT NULL DEFAULT '';
                ALTER TABLE tickets ADD COLUMN area TEXT;
                ALTER TABLE tickets ADD COLUMN reopened INTEGER NOT NULL DEFAULT 0;
                UPDATE tickets SET
                    first_contact_at = min(coalesce(json_extract(data, '$.draft.firstContactAt'), requested_at), requested_at),
                    locale = coalesce(json_extract(data, '$.draft.locale'), ''),
                    channel = coalesce(json_extract(data, '$.draft.channel'), reporter_channel),
                    area = json_extract(data, '$.draft.area'),
                    reopened = coalesce(json_extract(data, '$.reopenCount'), 0);
                -- Covering: a report over a million tickets reads this index alone, never the tickets' JSON.
                CREATE INDEX tickets_report ON tickets(first_contact_at, status, closed_at, expected_at, reopened, locale, channel,
                    area, service_code, department, jurisdiction, requested_at, tracking_number);
                """)
        }
        migrator.registerMigration("v12: tickets in departments' systems") { db in
            try db.execute(sql: """
                -- A ticket filed into a department's work-order system (Open311 client): its id there, or the token
                -- the system answered with until it gives one.
                CREATE TABLE ticket_links (
                    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
                    system TEXT NOT NULL,
                    external_id TEXT,
                    token TEXT,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (ticket_id, system)
                );
                CREATE UNIQUE INDEX ticket_links_external ON ticket_links(system, external_id) WHERE external_id IS NOT NULL;
                """)
        }
        migrator.registerMigration("v13: area notices") { db in
            try db.execute(sql: """
                -- Residents' consent to area notices about a place (ALERTS <address>): one row per address, place and
                -- topic ('' = every topic); when and how consent was given. The point is indexed for the notice's
                -- bounding box; the exact area is tested after.
                CREATE TABLE alert_subscriptions (
                    id INTEGER PRIMARY KEY,
                    channel TEXT NOT NULL,
                    address TEXT NOT NULL,
                    matched TEXT NOT NULL,
                    latitude REAL NOT NULL,
                    longitude REAL NOT NULL,
                    topic TEXT NOT NULL DEFAULT '',
                    locale TEXT,
                    source TEXT NOT NULL,
                    consented_at REAL NOT NULL,
                    UNIQUE (channel, address, matched, topic)
                );
                CREATE INDEX alert_subscriptions_point ON alert_subscriptions(latitude, longitude);
                -- Notices staff sent: the area as given (JSON), the text per language (JSON object), who and when.
                CREATE TABLE notices (
                    id INTEGER PRIMARY KEY,
                    area TEXT NOT NULL,
                    messages TEXT NOT NULL,
                    emergency INTEGER NOT NULL,
                    topic TEXT,
                    created_by TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    suppressed_opt_out INTEGER NOT NULL DEFAULT 0,
                    cancelled_at REAL
                );
                -- Each resident's copy of a notice is an outbox entry carrying its id: the counts are read from there.
                ALTER TABLE outbox ADD COLUMN notice_id INTEGER REFERENCES notices(id);
                CREATE INDEX outbox_notice ON outbox(notice_id, state) WHERE notice_id IS NOT NULL;
                """)
        }
        migrator.registerMigration("v14: early delivery receipts") { db in
            try db.execute(sql: """
                -- A provider's delivery receipt that came before the dispatcher recorded the provider's id for the
                -- message: kept (furthest status, last error code) until that id is recorded, or for an hour.
                CREATE TABLE early_receipts (
                    provider_id TEXT PRIMARY KEY,
                    status TEXT NOT NULL,
                    error_code TEXT,
                    received_at REAL NOT NULL
                );
                CREATE INDEX early_receipts_received ON early_receipts(received_at);
                """)
        }
        return migrator
    }
}
