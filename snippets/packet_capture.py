"""Capture the TCP segments that cross the loopback interface, as `tcpdump -i lo` would (Linux only).

Shared by the demos that show packets on the wire. Copy it next to the demo that imports it.
It opens an AF_PACKET socket, which needs root or CAP_NET_RAW: run the demo with `sudo`.
`segment_table()` and `sequence_diagram()` print what was captured, with sequence numbers both
absolute and relative to each side's first one (as Wireshark shows them).
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

ETH_P_ALL = 0x0003  # every protocol (linux/if_ether.h)
PACKET_OUTGOING = 4  # linux/if_packet.h: a frame this host sent
ETHERNET_HEADER = 14  # loopback frames carry an Ethernet header with zero MAC addresses
FLAG_NAMES = [(0x01, "FIN"), (0x02, "SYN"), (0x04, "RST"), (0x08, "PSH"), (0x10, "ACK")]
SO_TIMESTAMPNS = 35  # asm-generic/socket.h: the kernel stamps each frame when it is queued
SEQ_SPACE = 2**32  # sequence numbers wrap around here


@dataclass(frozen=True)
class Segment:
    time: float  # seconds since the capture started, when the kernel queued the frame
    src_port: int
    dst_port: int
    flags: str  # for example "SYN,ACK"
    seq: int
    ack: int
    payload: int  # bytes of data carried

    def has(self, flag: str) -> bool:
        return flag in self.flags.split(",")

    @property
    def length(self) -> int:
        """Sequence numbers this segment uses: one per data byte, plus one each for SYN and FIN."""
        return self.payload + self.has("SYN") + self.has("FIN")

    @property
    def next_seq(self) -> int:
        """The sequence number the sender uses next, which is what the peer will acknowledge."""
        return (self.seq + self.length) % SEQ_SPACE


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
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        except OSError:
            pass  # then each segment is timed when the reader sees it
        self._started = time.time()
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

    def wait_until(self, condition: Callable[[list[Segment]], bool], timeout: float = 2.0) -> list[Segment]:
        """The segments, once `condition(segments)` holds or `timeout` seconds have passed."""
        deadline = time.monotonic() + timeout
        while not condition(self.segments()) and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.segments()

    def _read(self, sock: socket.socket) -> None:
        with sock:
            while not self._stop.is_set():
                try:
                    frame, ancillary, _, address = sock.recvmsg(65535, 64)
                except TimeoutError:
                    continue
                # Loopback shows every frame twice, once sent and once received: keep the sent copy.
                if address[2] != PACKET_OUTGOING:
                    continue
                sent_at = time.time()
                for level, kind, data in ancillary:
                    if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
                        seconds, nanoseconds = struct.unpack("qq", data[:16])
                        sent_at = seconds + nanoseconds / 1e9
                segment = self._parse(frame, sent_at - self._started)
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


def _connection(segment: Segment) -> tuple[int, int]:
    return (segment.src_port, segment.dst_port)


def first_sequence_numbers(segments: list[Segment]) -> dict[tuple[int, int], int]:
    """Each direction's initial sequence number (its SYN's seq), keyed by (source port, destination port).

    A direction whose SYN was not captured counts from its first captured segment instead.
    """
    first: dict[tuple[int, int], int] = {}
    for segment in segments:
        if segment.has("SYN"):
            first[_connection(segment)] = segment.seq
        else:
            first.setdefault(_connection(segment), segment.seq)
    return first


def relative(segments: list[Segment]) -> list[tuple[int, int | None]]:
    """(seq, ack) of each segment counted from the ISN of the side that chose the number.

    ack is None when the ACK flag is off (the field then means nothing).
    """
    first = first_sequence_numbers(segments)
    numbers = []
    for segment in segments:
        seq = (segment.seq - first[_connection(segment)]) % SEQ_SPACE
        peer_isn = first.get((segment.dst_port, segment.src_port))
        ack = None
        if segment.has("ACK"):
            ack = (segment.ack - peer_isn) % SEQ_SPACE if peer_isn is not None else segment.ack
        numbers.append((seq, ack))
    return numbers


def segment_table(segments: list[Segment], names: dict[int, str]) -> str:
    """The segments as a table: time since the first one, sender, flags, seq and ack absolute and relative.

    `names` maps a port to the name of the side that owns it, for example {server_port: "server"}.
    """
    lines = [
        f"{'#':>2} {'ms':>7}  {'sender':<8} {'flags':<12} {'seq':>10} {'ack':>10}  {'rel seq':>7} {'rel ack':>7} {'len':>4}"
    ]
    start = segments[0].time if segments else 0.0
    for number, (segment, (seq, ack)) in enumerate(zip(segments, relative(segments)), start=1):
        shown_ack = segment.ack if segment.has("ACK") else "-"
        lines.append(
            f"{number:>2} {(segment.time - start) * 1000:>7.3f}  {names[segment.src_port]:<8} {segment.flags:<12}"
            f" {segment.seq:>10} {shown_ack:>10}  {seq:>7} {'-' if ack is None else ack:>7} {segment.payload:>4}"
        )
    return "\n".join(lines)


def sequence_diagram(
    segments: list[Segment], names: dict[int, str], notes: dict[int, list[str]] | None = None
) -> str:
    """A Mermaid sequence diagram of the segments, with relative seq/ack, ready to print.

    `notes` maps a number of segments (0 = before the first) to lines to show after them, each
    "participant: text", for example the states read from the kernel at that moment.
    """
    notes = notes or {}
    participants = list(dict.fromkeys(names[p] for s in segments for p in (s.src_port, s.dst_port)))
    lines = ["```mermaid", "sequenceDiagram"]
    lines += [f"    participant {name}" for name in participants]

    def add_notes(after: int) -> None:
        for note in notes.get(after, []):
            who, _, text = note.partition(": ")
            lines.append(f"    Note over {who}: {text}")

    add_notes(0)
    for number, (segment, (seq, ack)) in enumerate(zip(segments, relative(segments)), start=1):
        label = f"{number}. {segment.flags} seq={seq}"
        if ack is not None:
            label += f" ack={ack}"
        if segment.payload:
            label += f" ({segment.payload} bytes)"
        lines.append(f"    {names[segment.src_port]}->>{names[segment.dst_port]}: {label}")
        add_notes(number)
    lines.append("```")
    return "\n".join(lines)
