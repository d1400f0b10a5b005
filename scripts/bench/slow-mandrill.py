#!/usr/bin/env python3
"""A Mandrill-compatible endpoint that answers every request after a fixed delay (default 100 ms)
with a canned "sent" answer; keep-alive; for scripts/bench-delivery.
Usage: slow-mandrill.py PORT [delay seconds]"""
import asyncio
import sys

BODY = (b'[{"email":"jane.doe@example.com","status":"sent","reject_reason":null,'
        b'"queued_reason":null,"_id":"abc123"}]')
DELAY = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            await asyncio.sleep(DELAY)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                         % len(BODY) + BODY)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), backlog=1024)
    async with server:
        await server.serve_forever()

asyncio.run(main())
