#!/usr/bin/env python3
"""Writes N pre-signed Twilio SMS webhook requests (one per line: signature TAB body), each from a new resident
with a new MessageSid, for wrk (sms-webhook.lua) to replay. Usage: signed-requests.py N TOKEN PUBLIC_URL PREFIX > file"""
import base64, hashlib, hmac, sys, urllib.parse

n, token, public_url, prefix = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
url = public_url.rstrip("/") + "/webhooks/twilio/sms"
for i in range(n):
    params = {"MessageSid": f"SM{prefix}{i:08d}", "From": f"+1555{prefix}{i:08d}", "To": "+12175550311",
              "Body": "There's a big pothole at 1423 Oak St", "NumMedia": "0"}
    payload = url + "".join(k + params[k] for k in sorted(params))
    signature = base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()
    print(signature + "\t" + urllib.parse.urlencode(params))
