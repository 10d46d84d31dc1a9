"""Capture the TCP segments that cross the loopback interface, as `tcpdump -i lo` would (Linux only).

Shared by the demos that show packets on the wire. Copy it next to the demo that imports it.
It opens an AF_PACKET socket, which needs root or CAP_NET_RAW: run the demo with `sudo`.
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass

ETH_P_ALL = 0x0003  # every protocol (linux/if_ether.h)
PACKET_OUTGOING = 4  # linux/if_packet.h: a frame this host sent
ETHERNET_HEADER = 14  # loopback frames carry an Ethernet header with zero MAC addresses
FLAG_NAMES = [(0x01, "FIN"), (0x02, "SYN"), (0x04, "RST"), (0x08, "PSH"), (0x10, "ACK")]


@dataclass(frozen=True)
class Segment:
    time: float  # seconds since the capture started, when the reader saw it
    src_port: int
    dst_port: int
    flags: str  # for example "SYN,ACK"
    seq: int
    ack: int
    payload: int  # bytes of data carried


class LoopbackCapture:
    """Records the TCP segments on 127.0.0.1 to or from `port` while the `with` block runs."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._segments: list[Segment] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started = 0.0
        self._reader: threading.Thread | None = None

    def __enter__(self) -> LoopbackCapture:
        if not hasattr(socket, "AF_PACKET"):
            sys.exit("This demo captures packets with an AF_PACKET socket, which only Linux has.")
        try:
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        except PermissionError:
            sys.exit("Capturing packets needs root (CAP_NET_RAW): run this demo with sudo.")
        sock.bind(("lo", 0))
        sock.settimeout(0.05)  # how often the reader checks whether to stop
        self._started = time.monotonic()
        self._reader = threading.Thread(target=self._read, args=(sock,), daemon=True)
        self._reader.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._reader is not None:
            self._reader.join()

    def segments(self) -> list[Segment]:
        """Every matching segment seen so far, in the order they were sent."""
        with self._lock:
            return list(self._segments)

    def wait_for(self, count: int, timeout: float = 2.0) -> list[Segment]:
        """The segments, once at least `count` have been seen or `timeout` seconds have passed."""
        deadline = time.monotonic() + timeout
        while len(self.segments()) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.segments()

    def _read(self, sock: socket.socket) -> None:
        with sock:
            while not self._stop.is_set():
                try:
                    frame, address = sock.recvfrom(65535)
                except TimeoutError:
                    continue
                # Loopback shows every frame twice, once sent and once received: keep the sent copy.
                if address[2] != PACKET_OUTGOING:
                    continue
                segment = self._parse(frame, time.monotonic() - self._started)
                if segment is not None:
                    with self._lock:
                        self._segments.append(segment)

    def _parse(self, frame: bytes, seen_at: float) -> Segment | None:
        ip = frame[ETHERNET_HEADER:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != socket.IPPROTO_TCP:
            return None
        ip_header = (ip[0] & 0x0F) * 4
        total_length = struct.unpack("!H", ip[2:4])[0]
        tcp = ip[ip_header:total_length]
        src_port, dst_port, seq, ack, offset, flag_bits = struct.unpack("!HHIIBB", tcp[:14])
        if self.port not in (src_port, dst_port):
            return None
        flags = ",".join(name for bit, name in FLAG_NAMES if flag_bits & bit)
        payload = len(tcp) - (offset >> 4) * 4
        return Segment(seen_at, src_port, dst_port, flags, seq, ack, payload)
