/// The Python side of `SMTPTestServer`: an aiosmtpd server on 127.0.0.1 that saves every message it accepts.
///
/// It is kept here as a Swift string (and written to the test's temporary directory at run time) so the test target
/// needs no resource or exclude rules. For each accepted message `NNN` it writes `NNN.eml` (the raw message as
/// received, dot-unstuffed) and then `NNN.json`: the envelope, whether TLS and AUTH were used, the headers as
/// Python's `email` package decodes them, the decoded subject, the text and HTML parts and any parser defects.
/// Once listening it writes `ready.json` with its port. It exits when its standard input closes.
///
/// Options: `--tls none|starttls|implicit` (with `--cert`/`--key`), `--user`/`--password` (AUTH required),
/// `--exclude-auth MECH` (e.g. PLAIN, to exercise AUTH LOGIN), `--reject ADDRESS` (answered `550 5.1.1`).
enum SMTPTestServerScript {
    static let source = #"""
        import argparse
        import asyncio
        import email
        import email.policy
        import json
        import os
        import signal
        import ssl
        import sys
        import threading

        from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


        def write_json(path, value):
            temporary = path + ".tmp"
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(value, handle, ensure_ascii=False, indent=1)
            os.replace(temporary, path)


        def summarize(raw):
            message = email.message_from_bytes(raw, policy=email.policy.default)
            defects = [type(defect).__name__ for defect in message.defects]
            for part in message.walk():
                defects += [type(defect).__name__ for defect in part.defects]
            plain = message.get_body(preferencelist=("plain",))
            html = message.get_body(preferencelist=("html",))
            return {
                "headers": [[name, str(value)] for name, value in message.items()],
                "subject": str(message["subject"]) if message["subject"] is not None else None,
                "content_type": message.get_content_type(),
                "parts": [part.get_content_type() for part in message.iter_parts()],
                "transfer_encodings": [str(part["content-transfer-encoding"]) for part in message.iter_parts()],
                "text": plain.get_content() if plain is not None else None,
                "html": html.get_content() if html is not None else None,
                "defects": defects,
            }


        class Handler:
            def __init__(self, directory, reject, implicit_tls):
                self.directory = directory
                self.reject = {address.lower() for address in reject}
                self.implicit_tls = implicit_tls
                self.count = 0

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.lower() in self.reject:
                    # The address in the text checks that the client never repeats a server's text.
                    return "550 5.1.1 <%s>: mailbox unavailable" % address
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                self.count += 1
                base = os.path.join(self.directory, "%03d" % self.count)
                raw = envelope.original_content
                with open(base + ".eml", "wb") as handle:
                    handle.write(raw)
                summary = summarize(raw)
                auth = session.auth_data if isinstance(session.auth_data, dict) else {}
                summary.update({
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "mail_options": envelope.mail_options,
                    "tls": self.implicit_tls or session.ssl is not None,
                    "authenticated": bool(session.authenticated),
                    "auth_mechanism": auth.get("mechanism"),
                    "auth_login": auth.get("login"),
                })
                write_json(base + ".json", summary)
                return "250 2.0.0 Message accepted"


        def make_authenticator(user, password):
            def authenticator(server, session, envelope, mechanism, auth_data):
                if (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
                        and auth_data.password == password.encode()):
                    return AuthResult(success=True, auth_data={"mechanism": mechanism, "login": user})
                return AuthResult(success=False, handled=False)
            return authenticator


        async def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--dir", required=True)
            parser.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
            parser.add_argument("--cert")
            parser.add_argument("--key")
            parser.add_argument("--user")
            parser.add_argument("--password")
            parser.add_argument("--reject", action="append", default=[])
            parser.add_argument("--exclude-auth", action="append", default=[])
            args = parser.parse_args()

            context = None
            if args.tls != "none":
                context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
                context.load_cert_chain(args.cert, args.key)
            handler = Handler(args.dir, args.reject, args.tls == "implicit")

            def factory():
                return SMTP(
                    handler,
                    hostname="cityline-test.localhost",
                    ident="CityLine test SMTP",
                    enable_SMTPUTF8=True,
                    data_size_limit=10 * 1024 * 1024,
                    tls_context=context if args.tls == "starttls" else None,
                    require_starttls=args.tls == "starttls",
                    authenticator=make_authenticator(args.user, args.password) if args.user else None,
                    auth_required=bool(args.user),
                    auth_require_tls=args.tls == "starttls",
                    auth_exclude_mechanism=args.exclude_auth,
                    # Generous: the test process runs every suite at once on as many threads as cores, and on a
                    # loaded 2-core machine a client's next step has waited over 30 s for a thread (a CI run
                    # lost the TLS handshake that way); the client's own timeouts are what the tests measure.
                    timeout=600,
                )

            loop = asyncio.get_running_loop()
            server = await loop.create_server(
                factory, "127.0.0.1", 0, ssl=context if args.tls == "implicit" else None)
            write_json(os.path.join(args.dir, "ready.json"), {"port": server.sockets[0].getsockname()[1]})
            async with server:
                await server.serve_forever()


        def exit_when_parent_goes():
            # The test keeps our stdin open; EOF means it stopped us or died. Swift's Process may start us with
            # signals blocked, so SIGTERM alone is not relied on.
            sys.stdin.buffer.read()
            os._exit(0)


        if __name__ == "__main__":
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
            threading.Thread(target=exit_when_parent_goes, daemon=True).start()
            try:
                asyncio.run(main())
            except KeyboardInterrupt:
                sys.exit(0)

        """#
}
