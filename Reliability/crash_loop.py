#!/usr/bin/env python3
"""Crash loops (issue 20): `cityline serve` killed with SIGKILL again and again under signed webhook load.

Each cycle starts the server on the same data directory, sends it signed Twilio SMS webhooks from several threads —
new residents starting reports, residents answering the bot's questions and the satisfaction survey, redeliveries
of messages already answered (the same MessageSid and body) — and staff closing tickets through the staff API
(some PATCHes twice), then kills it with SIGKILL 50–1500 ms after it said it was serving. A message whose request
got no answer is sent again, with the same MessageSid and body, after the restart, as a carrier retrying would.

After the last cycle the server runs once more without being killed: every unanswered message and PATCH is sent
until answered, the queues drain, and the server stops with SIGTERM. Then the database (sqlite3), the staff API
and the outbox file must show:

- every acknowledged message (200 with TwiML) stored exactly once, and every redelivery answered with exactly the
  TwiML of the first answer;
- each inbound message's replies stored once, the same as the TwiML the resident got;
- per resident at most one ticket, and exactly the tickets residents were given numbers for;
- every acknowledged close stored (closed in the database and through the API, one status change in its history);
- sessions readable, their version at least the resident's turns, their state where the resident's last answer
  left it;
- survey answers stored;
- `outbox.jsonl`: every line whole JSON, no `id` twice, no message twice; every sent entry written, none left
  pending, held or dead; each status update and survey at most once per (ticket, resident), exactly once for the
  reporter of a closed ticket, none for an open one; each department event once (`created` per ticket,
  `status_changed` per close).

Prints a summary and exits 1 on any violation. Python 3 standard library only. Run through Reliability/crash-loop.sh.
"""

import argparse
import base64
import csv
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

AUTH_TOKEN = "crash-loop-token"
PUBLIC_URL = "https://311.springfield.example"
SMS_PATH = "/webhooks/twilio/sms"
CITY_NUMBER = "+12175550199"

# What residents write first, by language; {a} is an address of the demo city.
FIRST_MESSAGES = {
    "en": ["pothole at {a}", "There's a huge pothole in front of {a}", "street light out at {a}",
           "graffiti on the wall at {a}", "the trash was not picked up at {a}"],
    "es": ["Hay un bache en {a}", "La luz de la calle no funciona en {a}", "Hay grafiti en la pared en {a}"],
}
WORDS = {
    "en": {"yes": "yes", "skip": "skip", "new": "NEW", "follow": "FOLLOW", "comment": "Thanks, the crew was quick"},
    "es": {"yes": "sí", "skip": "omitir", "new": "NUEVO", "follow": "SEGUIR", "comment": "Gracias, fueron rápidos"},
}
# The bot's replies, recognised by their words (Locales/en.yaml, Locales/es.yaml).
CREATED = re.compile(r"Tracking number: (\d+)\.|Reporte #(\d+) recibido")
FOLLOWED = re.compile(r"you'll get updates on #(\d+)|recibirá las novedades del #(\d+)")
SURVEY_THANKS = ("Your answers help us", "Sus respuestas nos ayudan")
ASK_COMMENT = ("Anything else you'd like to tell us", "Algo más que quiera decirnos")
ASK_RATING = ("Reply 1 (very unhappy)", "de 1 (nada conforme)", "number from 1 to 5", "número del 1 al 5")
ASK_FIXED = ("Is it fixed?", "quedó arreglado", "Please reply 1 (yes)", "responda 1 (sí)")
SUMMARY = ("Reply YES to send it", "Responda SÍ para enviarlo")
CONFIRM_SERVICE = ("Is that right?", "¿Es correcto?")
DUPLICATE = ("Reply FOLLOW", "Responda SEGUIR")
PHOTO = ("send a photo", "mande una foto")
CHOICE = re.compile(r"^(\d+)\. ", re.M)


class Violations:
    """What the run proved wrong, by kind ("lost" and "doubled" are counted apart from the others)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []  # (category, kind, text)

    def add(self, category, kind, text):
        with self.lock:
            self.items.append((category, kind, text))

    def count(self, category=None):
        with self.lock:
            return sum(1 for item in self.items if category is None or item[0] == category)


class Resident:
    def __init__(self, phone, lang, first):
        self.phone = phone
        self.lang = lang
        self.first = first
        self.state = "reporting"  # reporting, reported, followed, survey, finished, abandoned
        self.next_body = first     # what they send next (None: nothing to say)
        self.pending = None        # (sid, body) sent without an answer: sent again, same sid, until answered
        self.busy = False
        self.turns = 0
        self.ticket = None
        self.followed = None
        self.last_reply = ""
        self.survey_answers = {}
        self.survey_asked = False


class Loop:
    def __init__(self, args):
        self.args = args
        self.random = random.Random(args.seed)
        self.lock = threading.Lock()
        self.violations = Violations()
        self.residents = []
        self.by_phone = {}
        self.sids = {}           # sid -> {"from", "body", "reply": TwiML text or None}
        self.acked = []          # sids answered 200 with TwiML, in order
        self.tickets = {}        # tracking number -> phone of the resident told the number
        self.open_tickets = []   # told, not closed by staff yet
        self.closed = set()      # staff PATCH to closed answered 200
        self.closing = set()     # PATCH sent without an answer: sent again until answered
        self.stats = {"requests": 0, "redeliveries": 0, "resends": 0, "patches": 0, "patch_repeats": 0,
                      "unanswered": 0, "errors": 0, "starts": 0, "kills": 0, "survey_answers": 0}
        self.start_times = []
        self.base = None
        self.serving = threading.Event()
        self.stop = threading.Event()
        self.idle_workers = 0
        self.idle = threading.Condition(self.lock)
        self.outbox_offset = 0
        self.outbox_rest = b""
        self.phone_counter = 0
        self.addresses = self.load_addresses()
        self.server = None
        self.log = None

    # MARK: - the server

    def load_addresses(self):
        with open(os.path.join(self.args.repo, "DemoCity", "addresses.csv"), newline="") as file:
            rows = [row for row in csv.DictReader(file) if not row.get("unit")]
        return [f"{row['number']} {row['street']}" for row in rows]

    def environment(self):
        environment = dict(os.environ)
        environment.update({
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "CITYLINE_PUBLIC_URL": PUBLIC_URL, "LOG_LEVEL": "error",
            "CITYLINE_QUIET_HOURS_START": "00:00", "CITYLINE_QUIET_HOURS_END": "00:00", "CITYLINE_SURVEYS_DELAY": "0s",
        })
        for name in ("TWILIO_ACCOUNT_SID", "TWILIO_FROM", "SMTP_URL", "CITYLINE_DATABASE_URL", "WHATSAPP_ACCESS_TOKEN",
                     "TELEGRAM_BOT_TOKEN", "CITYLINE_WEBHOOK_SECRET"):
            environment.pop(name, None)
        return environment

    def create_token(self):
        result = subprocess.run([self.args.binary, "token", "create", "--role", "admin", "--label", "crash-loop",
                                 "--data-dir", self.args.data_dir], cwd=self.args.repo, env=self.environment(),
                                capture_output=True, text=True, check=True)
        return result.stdout.strip()

    def start_server(self):
        """Starts `cityline serve` on a free port; returns once it prints where it serves."""
        started = time.monotonic()
        self.log.write(f"--- start {self.stats['starts'] + 1}\n".encode())
        self.log.flush()
        position = self.log.tell()
        self.server = subprocess.Popen([self.args.binary, "serve", "--port", "0", "--smtp-port", "0",
                                        "--data-dir", self.args.data_dir],
                                       cwd=self.args.repo, env=self.environment(), stdout=self.log, stderr=self.log)
        self.stats["starts"] += 1
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with open(self.log.name, "rb") as file:
                file.seek(position)
                match = re.search(rb"serving (http://[0-9.:]+)", file.read())
            if match:
                self.start_times.append(time.monotonic() - started)
                self.base = match.group(1).decode()
                return
            if self.server.poll() is not None:
                break
            time.sleep(0.005)
        with open(self.log.name, "rb") as file:
            file.seek(position)
            output = file.read().decode(errors="replace")
        raise SystemExit(f"the server did not start (exit {self.server.poll()}); its output:\n{output[-4000:]}")

    def kill_server(self):
        os.kill(self.server.pid, signal.SIGKILL)
        self.server.wait()
        self.stats["kills"] += 1

    # MARK: - HTTP

    def request(self, method, path, body=None, headers=None, timeout=10):
        """(status, body text); raises OSError or http.client errors when the server is gone."""
        host, port = self.base[len("http://"):].rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    @staticmethod
    def signature(params):
        data = PUBLIC_URL + SMS_PATH + "".join(key + params[key] for key in sorted(params))
        return base64.b64encode(hmac.new(AUTH_TOKEN.encode(), data.encode(), hashlib.sha1).digest()).decode()

    def sms(self, sid, phone, body):
        """Sends one signed SMS webhook; the TwiML when answered 200 with TwiML, else None."""
        params = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": phone, "To": CITY_NUMBER, "Body": body,
                  "NumMedia": "0"}
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": self.signature(params)}
        with self.lock:
            self.stats["requests"] += 1
        try:
            status, text = self.request("POST", SMS_PATH, urllib.parse.urlencode(params), headers)
        except (OSError, http.client.HTTPException):
            with self.lock:
                self.stats["unanswered"] += 1
            return None
        if status == 200 and "<Response" in text:
            return text
        with self.lock:
            self.stats["errors"] += 1
        self.violations.add("other", "error response", f"{sid}: {status} {text[:200]}")
        return None

    def staff(self, method, path, body=None):
        headers = {"Authorization": f"Bearer {self.token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return self.request(method, path, json.dumps(body) if body is not None else None, headers)

    # MARK: - what residents and staff do

    def new_resident(self):
        self.phone_counter += 1
        lang = "es" if self.random.random() < 0.2 else "en"
        first = self.random.choice(FIRST_MESSAGES[lang]).format(a=self.random.choice(self.addresses))
        resident = Resident(f"+1217{3000000 + self.phone_counter:07d}", lang, first)
        self.residents.append(resident)
        self.by_phone[resident.phone] = resident
        return resident

    def answer(self, resident, text):
        """What the resident sends after the bot's `text` (None: nothing more); updates their state."""
        words = WORDS[resident.lang]
        created = CREATED.search(text)
        if created:
            number = created.group(1) or created.group(2)
            resident.state, resident.ticket = "reported", number
            if number in self.tickets and self.tickets[number] != resident.phone:
                self.violations.add("doubled", "tracking number given twice", f"{number}: {self.tickets[number]} and {resident.phone}")
            if number not in self.tickets:
                self.tickets[number] = resident.phone
                self.open_tickets.append(number)
            return None
        followed = FOLLOWED.search(text)
        if followed:
            resident.state, resident.followed = "followed", followed.group(1) or followed.group(2)
            return None
        if any(marker in text for marker in SURVEY_THANKS):
            resident.state = "finished"
            return None
        if resident.state == "survey":
            if any(marker in text for marker in ASK_COMMENT):
                resident.survey_answers["comment"] = words["comment"]
                return words["comment"]
            if any(marker in text for marker in ASK_RATING):
                rating = self.random.randint(3, 5)
                resident.survey_answers["rating"] = rating
                return str(rating)
            if any(marker in text for marker in ASK_FIXED):
                resident.survey_answers["fixed"] = "yes"
                return "1"
        resident.turns += 1
        if resident.turns > 14:
            resident.state = "abandoned"
            return None
        if any(marker in text for marker in SUMMARY + CONFIRM_SERVICE):
            return words["yes"]
        if any(marker in text for marker in DUPLICATE):
            return words["follow"] if self.random.random() < 0.3 else words["new"]
        if any(marker in text for marker in PHOTO):
            return words["skip"]
        choices = [int(number) for number in CHOICE.findall(text)]
        if choices:
            return str(self.random.choice(choices[:3]))
        return words["skip"]

    def read_outbox(self):
        """New whole lines of outbox.jsonl: a survey question makes its resident answer it."""
        path = os.path.join(self.args.data_dir, "outbox.jsonl")
        try:
            with open(path, "rb") as file:
                file.seek(self.outbox_offset)
                data = file.read()
        except FileNotFoundError:
            return
        self.outbox_offset += len(data)
        data = self.outbox_rest + data
        lines = data.split(b"\n")
        self.outbox_rest = lines.pop()
        for raw in lines:
            try:
                line = json.loads(raw)
            except ValueError:
                continue  # reported by the final check
            if line.get("kind") == "survey":
                resident = self.by_phone.get(line.get("to"))
                if resident and resident.state == "reported" and not resident.survey_asked:
                    resident.survey_asked = True
                    resident.state = "survey"
                    resident.last_reply = line.get("body", "")
                    resident.next_body = self.answer(resident, line.get("body", ""))
                    self.active.append(resident)

    def pick(self):
        """The next action, chosen under the lock: ("turn", resident, sid, body), ("redeliver", sid) or
        ("close", number, repeat)."""
        with self.lock:
            self.read_outbox()
            roll = self.random.random()
            if roll < 0.15 and self.acked:
                return ("redeliver", self.random.choice(self.acked))
            if self.closing and roll < 0.30:
                return ("close", next(iter(self.closing)), False)
            if roll < 0.25 and self.open_tickets:
                number = self.open_tickets.pop(self.random.randrange(len(self.open_tickets)))
                self.closing.add(number)
                return ("close", number, False)
            if roll < 0.28 and self.closed:
                return ("close", self.random.choice(sorted(self.closed)), True)
            ready = [r for r in self.active if not r.busy and (r.pending or r.next_body)]
            if not ready or (len(self.active) < self.args.residents and self.random.random() < 0.3):
                resident = self.new_resident()
                self.active.append(resident)
            else:
                resident = self.random.choice(ready)
            resident.busy = True
            if resident.pending:
                sid, body = resident.pending
                self.stats["resends"] += 1
            else:
                sid, body = "SM" + uuid.UUID(int=self.random.getrandbits(128)).hex, resident.next_body
                resident.pending = (sid, body)
                self.sids[sid] = {"from": resident.phone, "body": body, "reply": None}
            return ("turn", resident, sid, body)

    def turn(self, resident, sid, body):
        reply = self.sms(sid, resident.phone, body)
        with self.lock:
            resident.busy = False
            if reply is None:
                return
            record = self.sids[sid]
            if record["reply"] is None:
                record["reply"] = reply
                self.acked.append(sid)
            elif record["reply"] != reply:
                self.violations.add("doubled", "a message answered twice differently", f"{sid}")
            resident.pending = None
            resident.last_reply = " ".join(messages(reply))
            resident.next_body = self.answer(resident, resident.last_reply)
            if resident.next_body is None and resident in self.active:
                self.active.remove(resident)
            if resident.state == "finished":
                self.stats["survey_answers"] += 1

    def redeliver(self, sid):
        record = self.sids[sid]
        reply = self.sms(sid, record["from"], record["body"])
        if reply is None:
            return
        with self.lock:
            self.stats["redeliveries"] += 1
        if reply != record["reply"]:
            self.violations.add("doubled", "redelivery answered differently",
                                f"{sid}: first {record['reply'][:300]!r}, then {reply[:300]!r}")

    def close(self, number, repeat):
        body = {"status": "closed", "resolution": "fixed", "status_note": "Filled and rolled."}
        with self.lock:
            self.stats["patches"] += 1
            if repeat:
                self.stats["patch_repeats"] += 1
        try:
            status, text = self.staff("PATCH", f"/api/v1/tickets/{number}", body)
        except (OSError, http.client.HTTPException):
            return  # still in `closing` (or closed already): sent again
        if status != 200:
            self.violations.add("other", "staff PATCH failed", f"{number}: {status} {text[:200]}")
            return
        with self.lock:
            self.closing.discard(number)
            self.closed.add(number)
            # A resident whose ticket is closed and who is not talking to the bot gets the survey: see read_outbox.

    def worker(self):
        while not self.stop.is_set():
            if not self.serving.is_set():
                with self.idle:
                    self.idle_workers += 1
                    self.idle.notify_all()
                self.serving.wait()
                with self.idle:
                    self.idle_workers -= 1
                if self.stop.is_set():
                    return
                continue
            action = self.pick()
            if action[0] == "turn":
                self.turn(*action[1:])
            elif action[0] == "redeliver":
                self.redeliver(action[1])
            elif action[0] == "close":
                self.close(*action[1:])

    def wait_for_workers(self):
        with self.idle:
            while self.idle_workers < self.args.workers:
                self.idle.wait()

    # MARK: - the loop

    def run(self):
        os.makedirs(self.args.data_dir, exist_ok=True)
        self.log = open(os.path.join(self.args.work_dir, "server.log"), "ab")
        self.token = self.create_token()
        self.active = []
        threads = [threading.Thread(target=self.worker, daemon=True) for _ in range(self.args.workers)]
        for thread in threads:
            thread.start()
        began = time.monotonic()
        for cycle in range(1, self.args.cycles + 1):
            self.wait_for_workers()
            self.start_server()
            self.serving.set()
            time.sleep(self.random.uniform(0.05, 1.5))
            self.serving.clear()
            self.kill_server()
            if cycle % 50 == 0 or cycle == self.args.cycles:
                block = sorted(self.start_times[-50:])
                print(f"cycle {cycle}/{self.args.cycles}: {len(self.acked)} messages acknowledged, {len(self.tickets)} tickets, "
                      f"{len(self.closed)} closed; start to serving {block[len(block) // 2]:.2f} s (median of the last 50); "
                      f"{time.monotonic() - began:.0f} s", flush=True)
        loop_seconds = time.monotonic() - began
        self.wait_for_workers()
        self.finish()
        self.stop.set()
        self.serving.set()
        return loop_seconds

    def finish(self):
        """The last run, not killed: everything unanswered is answered, the queues drain, SIGTERM."""
        self.start_server()
        self.base_final = self.base
        for _ in range(50):
            with self.lock:
                pending = [(r, r.pending) for r in self.residents if r.pending]
                closing = sorted(self.closing)
            if not pending and not closing:
                break
            for resident, (sid, body) in pending:
                resident.busy = True
                self.stats["resends"] += 1
                self.turn(resident, sid, body)
            for number in closing:
                self.close(number, False)
        else:
            self.violations.add("other", "unanswered at the end", "messages or PATCHes still unanswered after 50 tries")
        # Let the last closes reach their residents, then let surveys answered go through: the queues drain.
        self.wait_until_drained()
        self.final_checks_through_api()
        self.server.send_signal(signal.SIGTERM)
        code = self.server.wait(timeout=60)
        if code != 0:
            self.violations.add("other", "SIGTERM", f"the last server exited {code}")

    def wait_until_drained(self, timeout=300):
        """No job due or running, no message due or being sent, twice 300 ms apart (like waitUntilDrained). Jobs due in
        the next 30 s count as due: a survey waiting for its ticket's closing update looks again a second later."""
        database = sqlite3.connect(os.path.join(self.args.data_dir, "cityline.sqlite"), timeout=30)
        deadline = time.monotonic() + timeout
        drained_once = False
        try:
            while time.monotonic() < deadline:
                now = time.time()
                jobs = database.execute("SELECT COUNT(*) FROM jobs WHERE state = 'running' OR (state = 'pending' AND due_at <= ?)",
                                        (now + 30,)).fetchone()[0]
                outbox = database.execute("SELECT COUNT(*) FROM outbox WHERE state = 'sending' OR (state IN ('pending', 'held') AND due_at <= ?)",
                                          (now,)).fetchone()[0]
                if jobs == 0 and outbox == 0:
                    if drained_once:
                        return
                    drained_once = True
                else:
                    drained_once = False
                time.sleep(0.3)
        finally:
            database.close()
        self.violations.add("other", "not drained", "the queues did not drain in time")

    def final_checks_through_api(self):
        """Each ticket through the staff API: it exists, its status is what staff made it, one status change."""
        for number in sorted(self.tickets):
            status, text = self.staff("GET", f"/api/v1/tickets/{number}")
            if status != 200:
                self.violations.add("lost", "ticket missing in the API", f"{number}: {status}")
                continue
            ticket = json.loads(text)
            expected = "closed" if number in self.closed else "open"
            if ticket.get("status") != expected:
                self.violations.add("lost", "ticket status", f"{number}: {ticket.get('status')}, staff made it {expected}")
            changes = [event for event in ticket.get("history", []) if event.get("status")]
            if number in self.closed and len([e for e in changes if e.get("status") == "closed"]) != 1:
                self.violations.add("doubled", "status changes", f"{number}: {changes}")


def messages(twiml):
    """The <Message> texts of a TwiML answer."""
    return [element.text or "" for element in ET.fromstring(twiml).iter("Message")]


# MARK: - the proof, from the database and the outbox file

def check(loop):
    violations = loop.violations
    data_dir = loop.args.data_dir
    database = sqlite3.connect(f"file:{os.path.join(data_dir, 'cityline.sqlite')}?mode=ro", uri=True)
    database.row_factory = sqlite3.Row

    # Every acknowledged message stored exactly once, with the replies its resident got, once.
    inbound = {}
    for row in database.execute("SELECT id, address, external_id FROM messages WHERE direction = 'in' AND channel = 'sms'"):
        inbound.setdefault(row["external_id"], []).append(row)
    replies = {}
    for row in database.execute("SELECT reply_to, data FROM messages WHERE direction = 'out' AND inline = 1 ORDER BY id"):
        replies.setdefault(row["reply_to"], []).append(json.loads(row["data"]).get("body"))
    for sid in loop.acked:
        rows = inbound.get(sid, [])
        if not rows:
            violations.add("lost", "acknowledged message not stored", sid)
            continue
        if len(rows) > 1:
            violations.add("doubled", "message stored twice", sid)
        record = loop.sids[sid]
        if rows[0]["address"] != record["from"]:
            violations.add("other", "message stored under another address", sid)
        got = messages(record["reply"])
        stored = replies.get(rows[0]["id"], [])
        if stored != got:
            kind = "doubled" if len(stored) > len(got) else "lost" if len(stored) < len(got) else "other"
            violations.add(kind, "replies stored differ from the TwiML", f"{sid}: stored {stored}, answered {got}")
    for sid in inbound:
        if sid not in loop.sids:
            violations.add("other", "a message nobody sent", str(sid))
        elif loop.sids[sid]["reply"] is None:
            violations.add("other", "stored but never answered after the final run", sid)
    inbound_count = sum(len(rows) for rows in inbound.values())

    # Tickets: per resident at most one; exactly the ones residents were told.
    tickets = {row["tracking_number"]: row for row in database.execute(
        "SELECT tracking_number, reporter_address, status FROM tickets")}
    per_reporter = {}
    for row in tickets.values():
        per_reporter.setdefault(row["reporter_address"], []).append(row["tracking_number"])
    for reporter, numbers in per_reporter.items():
        if len(numbers) > 1:
            violations.add("doubled", "one report, several tickets", f"{reporter}: {numbers}")
    for number, phone in loop.tickets.items():
        row = tickets.get(number)
        if row is None:
            violations.add("lost", "ticket told but not stored", number)
        elif row["reporter_address"] != phone:
            violations.add("other", "ticket of another resident", f"{number}: {row['reporter_address']} told {phone}")
        elif (row["status"] == "closed") != (number in loop.closed):
            violations.add("lost", "ticket status", f"{number}: {row['status']}")
    for number in tickets:
        if number not in loop.tickets:
            violations.add("other", "ticket nobody was told", number)

    # Sessions: readable, their version at least the resident's turns, their state where the last answer left it.
    turns = {}
    for rows in inbound.values():
        for row in rows:
            turns[row["address"]] = turns.get(row["address"], 0) + 1
    sessions = 0
    for row in database.execute("SELECT address, data, version FROM sessions WHERE channel = 'sms'"):
        sessions += 1
        try:
            session = json.loads(row["data"])
            state = next(iter(session["state"]))
        except (ValueError, KeyError, StopIteration, TypeError):
            violations.add("other", "unreadable session", row["address"])
            continue
        if row["version"] < turns.get(row["address"], 0):
            violations.add("lost", "session behind its turns", f"{row['address']}: version {row['version']}, {turns.get(row['address'])} turns")
        resident = loop.by_phone.get(row["address"])
        if resident is None:
            continue
        expected = {"reported": {"idle", "survey"}, "followed": {"idle"}, "finished": {"idle"}, "survey": {"survey"}}.get(resident.state)
        if resident.state == "reporting" and any(marker in resident.last_reply for marker in SUMMARY):
            expected = {"confirmingSummary"}
        if resident.state == "reporting" and any(marker in resident.last_reply for marker in PHOTO):
            expected = {"askingPhoto"}
        if resident.state == "reporting" and any(marker in resident.last_reply for marker in DUPLICATE):
            expected = {"offeringDuplicate"}
        if expected and state not in expected:
            violations.add("other", "session not where the dialog left it",
                           f"{row['address']}: {state}, expected {sorted(expected)} after {resident.last_reply[:120]!r}")

    # Survey answers stored.
    surveys = {row["tracking_number"]: row for row in database.execute(
        "SELECT t.tracking_number, s.state, s.fixed, s.rating, s.comment FROM surveys s JOIN tickets t ON t.id = s.ticket_id")}
    for resident in loop.residents:
        if resident.state == "finished" and resident.ticket:
            row = surveys.get(resident.ticket)
            answers = resident.survey_answers
            if row is None or row["state"] != "answered" or row["fixed"] != "yes" or row["rating"] != answers.get("rating") \
                    or row["comment"] != answers.get("comment"):
                violations.add("lost", "survey answers", f"{resident.ticket}: {dict(row) if row else None}, answered {answers}")

    # The outbox file.
    path = os.path.join(data_dir, "outbox.jsonl")
    with open(path, "rb") as file:
        raw = file.read()
    if raw and not raw.endswith(b"\n"):
        violations.add("other", "outbox file", "the last line is not whole")
    lines = []
    for number, text in enumerate(raw.split(b"\n")[:-1] if raw.endswith(b"\n") else raw.split(b"\n"), 1):
        try:
            lines.append(json.loads(text))
        except ValueError:
            violations.add("other", "outbox file", f"line {number} is not JSON: {text[:200]!r}")
    ids = [line.get("id") for line in lines]
    seen = set()
    for id in ids:
        if id in seen:
            violations.add("doubled", "outbox id written twice", id)
        seen.add(id)
    contents = {}
    for line in lines:
        key = (line.get("channel"), line.get("to"), line.get("kind"), line.get("ticket_id"), line.get("body"))
        contents[key] = contents.get(key, 0) + 1
    for key, count in contents.items():
        if count > 1:
            violations.add("doubled", "the same message in the outbox file twice", f"{count}× {key[1]} {key[2]} #{key[3]}: {str(key[4])[:80]}")
    outbox = {str(row["id"]): row for row in database.execute("SELECT id, state, channel, address FROM outbox")}
    for id in seen:
        if id not in outbox:
            violations.add("other", "outbox line without an entry", id)
    states = {}
    for id, row in outbox.items():
        states[row["state"]] = states.get(row["state"], 0) + 1
        if row["state"] == "sent" and id not in seen:
            violations.add("lost", "sent but not in the outbox file", id)
        if row["state"] in ("pending", "sending", "held"):
            violations.add("lost", "outbox entry not sent after the drain", f"{id} {row['state']}")
        if row["state"] == "dead":
            violations.add("lost", "outbox entry dead-lettered", id)
    dead_jobs = database.execute("SELECT COUNT(*) FROM jobs WHERE state = 'dead'").fetchone()[0]
    if dead_jobs:
        violations.add("lost", "jobs dead-lettered", str(dead_jobs))

    # Status updates and surveys: at most once per (ticket, resident); exactly once for a closed ticket's reporter.
    sent = {}
    for line in lines:
        if line.get("kind") in ("status_update", "survey"):
            key = (line["kind"], line.get("ticket_id"), line.get("to"))
            sent[key] = sent.get(key, 0) + 1
    for (kind, ticket, to), count in sent.items():
        if count > 1:
            violations.add("doubled", f"{kind} sent {count} times", f"#{ticket} to {to}")
        if ticket not in loop.closed:
            violations.add("other", f"{kind} for a ticket staff did not close", f"#{ticket} to {to}")
    for number in loop.closed:
        reporter = loop.tickets[number]
        for kind in ("status_update", "survey"):
            if sent.get((kind, number, reporter), 0) == 0:
                violations.add("lost", f"no {kind} for a closed ticket", f"#{number} to {reporter}")
    # The departments' events (no webhook configured: lines to department:<code>): one "created" per ticket, one
    # "status_changed" per close.
    events = {}
    for line in lines:
        if line.get("channel") == "webhook":
            try:
                event = json.loads(line["body"])
                key = (event["event"], event["ticket"]["id"])
            except (ValueError, KeyError, TypeError):
                violations.add("other", "unreadable department event", str(line.get("id")))
                continue
            events[key] = events.get(key, 0) + 1
    for (event, ticket), count in events.items():
        if count > 1:
            violations.add("doubled", f"department event {event} sent {count} times", f"#{ticket}")
    for number in loop.tickets:
        if events.get(("created", number), 0) == 0:
            violations.add("lost", "no department event created", f"#{number}")
        if number in loop.closed and events.get(("status_changed", number), 0) == 0:
            violations.add("lost", "no department event status_changed", f"#{number}")
    followers = database.execute("""
        SELECT t.tracking_number, f.address FROM ticket_followers f JOIN tickets t ON t.id = f.ticket_id
        """).fetchall()
    database.close()
    return {
        "inbound": inbound_count, "tickets": len(tickets), "sessions": sessions, "outbox_lines": len(lines),
        "status_updates": sum(count for (kind, _, _), count in sent.items() if kind == "status_update"),
        "surveys": sum(count for (kind, _, _), count in sent.items() if kind == "survey"),
        "followers": len(followers), "outbox_states": states, "department_events": sum(events.values()),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True, help="the cityline executable (release)")
    parser.add_argument("--repo", default=os.getcwd(), help="the repository root: the demo city is found from there")
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=6, help="threads sending webhooks and staff requests")
    parser.add_argument("--residents", type=int, default=40, help="residents in a dialog at once, at most")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--work-dir", default=None, help="where the data directory and the server's log go (default: a new temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory even when every check passes")
    args = parser.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 32)
    args.work_dir = args.work_dir or tempfile.mkdtemp(prefix="cityline-crash-loop-")
    args.data_dir = os.path.join(args.work_dir, "data")
    print(f"crash loop: {args.cycles} cycles, seed {args.seed}, work directory {args.work_dir}", flush=True)

    began = time.monotonic()
    loop = Loop(args)
    loop_seconds = loop.run()
    figures = check(loop)
    wall = time.monotonic() - began

    violations = loop.violations
    lost, doubled, other = violations.count("lost"), violations.count("doubled"), violations.count("other")
    starts = sorted(loop.start_times)
    stats = loop.stats
    print(f"""
cycles                  {args.cycles} (SIGKILL {stats['kills']} times, {stats['starts']} starts; start to serving: median {starts[len(starts) // 2]:.2f} s, max {starts[-1]:.2f} s)
webhooks sent           {stats['requests']} ({stats['unanswered']} unanswered when the server died)
messages acknowledged   {len(loop.acked)} (stored: {figures['inbound']}); resent after no answer: {stats['resends']}
redeliveries            {stats['redeliveries']} answered, each with the first answer's TwiML
residents               {len(loop.residents)}; tickets {figures['tickets']} ({len(loop.closed)} closed by staff; {stats['patches']} PATCHes, {stats['patch_repeats']} repeated); followers {figures['followers']}
surveys answered        {stats['survey_answers']}
outbox file             {figures['outbox_lines']} lines: {figures['status_updates']} status updates, {figures['surveys']} surveys, {figures['department_events']} department events; entries {figures['outbox_states']}
sessions                {figures['sessions']}
lost                    {lost}
doubled                 {doubled}
other violations        {other}
wall time               {wall / 60:.1f} min ({loop_seconds / args.cycles:.2f} s a cycle)""")
    if violations.items:
        kinds = {}
        for category, kind, text in violations.items:
            kinds.setdefault((category, kind), []).append(text)
        for (category, kind), texts in sorted(kinds.items()):
            print(f"\n{category}: {kind} ({len(texts)})")
            for text in texts[:10]:
                print(f"  {text}")
        print(f"\nFAILED; the data directory is kept: {args.data_dir}; the server's output: {args.work_dir}/server.log")
        sys.exit(1)
    if not args.keep:
        shutil.rmtree(args.work_dir, ignore_errors=True)
    print("\nOK")


if __name__ == "__main__":
    main()
