"""The data-logger simulator: pure signal properties, then whole runs against a real gateway."""

from __future__ import annotations

import asyncio
import socket
import statistics
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from eco263.gateway.server import Gateway, GatewayConfig
from eco263.gateway.sim_logger import SimulatorConfig, read_ack_log
from eco263.gateway.simulator import Plan, SimReport, simulate
from eco263.monitoring import signals
from eco263.monitoring.hj212 import BadCrcError, decode
from eco263.monitoring.models import DeadLetter, MonitoringPoint, Reading
from eco263.monitoring.signals import SHANGHAI, SignalGenerator, minute_index, scenario
from eco263.runtime import Runtime
from tests.factories.monitoring import register_point

SEED = 2018
MONDAY = datetime(2018, 4, 16, tzinfo=SHANGHAI)  # a working week in Kunshan
WATER = signals.make_points(1, seed=SEED)[0]
GAS = signals.make_points(2, seed=SEED, medium="mixed")[1]


def _series(gen: SignalGenerator, code: str, start: datetime, hours: int) -> list[float]:
    m0 = minute_index(start)
    return [gen.sample(code, m) for m in range(m0, m0 + hours * 60)]


def _hour_means(gen: SignalGenerator, code: str, day: datetime) -> list[float]:
    values = _series(gen, code, day, 24)
    return [statistics.fmean(values[h * 60 : (h + 1) * 60]) for h in range(24)]


# -- pure signal properties ---------------------------------------------------------------------


def test_diurnal_and_weekly_production_cycle() -> None:
    gen = SignalGenerator(WATER, scenario("normal"), SEED)
    for code in ("w00000", "w20122", "w01018"):
        hours = _hour_means(gen, code, MONDAY + timedelta(days=2))
        day, night = statistics.fmean(hours[10:16]), statistics.fmean(hours[1:5])
        assert day > 1.3 * night, (code, day, night)
    flow = "w00000"
    wednesday = statistics.fmean(_hour_means(gen, flow, MONDAY + timedelta(days=2))[9:18])
    sunday = statistics.fmean(_hour_means(gen, flow, MONDAY + timedelta(days=6))[9:18])
    assert sunday < 0.6 * wednesday
    ph = _series(gen, "w01001", MONDAY, 48)
    assert min(ph) > 6.5 and max(ph) < 8.0  # pH barely follows production


def test_noise_is_deterministic_per_seed_and_differs_between_seeds() -> None:
    one = SignalGenerator(WATER, scenario("normal"), SEED)
    same = SignalGenerator(WATER, scenario("normal"), SEED)
    other = SignalGenerator(WATER, scenario("normal"), SEED + 1)
    a = _series(one, "w01018", MONDAY, 3)
    assert a == _series(same, "w01018", MONDAY, 3)
    assert a != _series(other, "w01018", MONDAY, 3)
    assert len(set(a)) > 150  # noisy at the instrument's resolution, not a step function
    # random access: one minute alone gives the value it has inside a series
    assert one.sample("w01018", minute_index(MONDAY) + 97) == a[97]


def test_dilution_shows_only_in_the_scenario_hours_and_only_on_copper() -> None:
    hours = signals.SCENARIO_DEFAULTS["tamper-dilution"].hours
    k = signals.SCENARIO_DEFAULTS["tamper-dilution"].factor
    assert k is not None and 0.2 < k < 0.5
    clean = SignalGenerator(WATER, scenario("normal"), SEED)
    tampered = SignalGenerator(WATER, scenario("tamper-dilution"), SEED)
    m0 = minute_index(MONDAY)
    diluted_hours: set[int] = set()
    for m in range(m0, m0 + 2 * 1440, 7):
        hour = (m % 1440) // 60
        for code in ("w00000", "w01018", "w21003", "w21011", "w21001", "w01001", "w01010"):
            assert tampered.sample(code, m) == clean.sample(code, m)  # flow and others unchanged
        cu, cu0 = tampered.sample("w20122", m), clean.sample("w20122", m)
        if hour in hours:
            assert cu == pytest.approx(cu0 * k, abs=1e-4)
            assert tampered.label(signals.minute_time(m)) == {"w20122"}
            diluted_hours.add(hour)
        else:
            assert cu == cu0 and not tampered.label(signals.minute_time(m))
    assert diluted_hours == hours
    # the hourly records carry it too: the copper load falls, the flow volume does not
    at = MONDAY + timedelta(hours=2)
    rec, rec0 = (g.record("2061", at) for g in (tampered, clean))
    cu, cu0 = rec.values[-1], rec0.values[-1]
    assert cu.code == "w20122" and cu.avg is not None and cu0.avg is not None
    assert cu.avg == pytest.approx(cu0.avg * k, rel=0.01)
    assert rec.values[0] == rec0.values[0] and rec.labels == {"w20122"}


def test_gas_dilution_draws_air_in_so_the_o2_corrected_value_stays() -> None:
    clean = SignalGenerator(GAS, scenario("normal"), SEED)
    tampered = SignalGenerator(GAS, scenario("tamper-dilution"), SEED)
    at = MONDAY + timedelta(hours=23)
    rec, rec0 = (g.record("2061", at) for g in (tampered, clean))
    so2, so2_0 = rec.values[1], rec0.values[1]
    o2, o2_0 = rec.values[4], rec0.values[4]
    assert so2.code == "a21026" and o2.code == "a19001"
    assert so2.avg is not None and so2_0.avg is not None and so2.avg < 0.5 * so2_0.avg
    assert o2.avg is not None and o2_0.avg is not None and o2.avg > o2_0.avg + 5
    assert so2.zs_avg == pytest.approx(so2_0.zs_avg, rel=0.05)
    assert rec.values[0] == rec0.values[0]  # flue-gas flow unchanged


def test_flatline_is_exactly_constant_while_the_rest_moves() -> None:
    gen = SignalGenerator(WATER, scenario("flatline", factor=0.32), SEED)
    nh3 = _series(gen, "w21003", MONDAY, 30)
    assert set(nh3) == {0.32}
    assert len(set(_series(gen, "w01018", MONDAY, 30))) > 100
    day = gen.record("2031", MONDAY)
    item = next(v for v in day.values if v.code == "w21003")
    assert item.min == item.avg == item.max == 0.32
    assert item.cou is not None and item.cou > 0  # the load still follows the flow


def test_exceedance_passes_the_limit_in_its_hours_only() -> None:
    gen = SignalGenerator(WATER, scenario("exceedance"), SEED)
    limit = next(f.limit for f in signals.WATER_FACTORS if f.code == "w01018")
    assert limit is not None
    hours = _hour_means(gen, "w01018", MONDAY + timedelta(days=1))
    assert all(hours[h] > limit for h in (10, 11, 12, 13))
    assert all(hours[h] < limit for h in range(24) if h not in (10, 11, 12, 13))


def test_records_aggregate_the_minute_samples_consistently() -> None:
    gen = SignalGenerator(WATER, scenario("normal"), SEED)
    at = MONDAY + timedelta(hours=9)
    hour = gen.record("2061", at)
    tens = [gen.record("2051", at + timedelta(minutes=10 * i)) for i in range(6)]
    for idx, value in enumerate(hour.values):
        parts = [t.values[idx] for t in tens]
        assert value.min == min(p.min for p in parts if p.min is not None)
        assert value.max == max(p.max for p in parts if p.max is not None)
        assert value.avg == pytest.approx(statistics.fmean(p.avg or 0 for p in parts), rel=2e-3)
        if value.cou is not None:
            assert value.cou == pytest.approx(sum(p.cou or 0 for p in parts), rel=1e-3)
    real_time = gen.record("2011", at + timedelta(minutes=5))
    assert real_time.values[0].rtd == gen.at("w00000", at + timedelta(minutes=5))


def test_packets_decode_to_the_record_values() -> None:
    gen = SignalGenerator(GAS, scenario("normal"), SEED)
    record = gen.record("2051", MONDAY + timedelta(hours=11))
    packet = decode(signals.packet(GAS, record, "20180416111000123"))
    assert (packet.cn, packet.st, packet.mn, packet.version) == ("2051", "31", GAS.mn, "2017")
    assert packet.ack_requested and packet.qn == "20180416111000123"
    assert packet.cp.data_time == record.data_time
    items = packet.cp.items()
    assert list(items) == [f.code for f in GAS.factors]
    for value in record.values:
        item = items[value.code]
        assert (item.avg, item.min, item.max) == (value.avg, value.min, value.max)
        assert item.cou == value.cou and item.zs_avg == value.zs_avg and item.flag == "N"


def test_2005_dialect_packets_decode_as_2005_with_old_codes() -> None:
    point = signals.make_points(1, seed=SEED, dialects=["2005"])[0]
    assert len(point.mn) == 14
    gen = SignalGenerator(point, scenario("2005-dialect"), SEED)
    for cn in ("2011", "2051", "2061"):
        record = gen.record(cn, MONDAY + timedelta(hours=10))
        packet = decode(signals.packet(point, record, "20180416110000000"))
        assert packet.version == "2005" and packet.ack_requested and packet.flag is not None
        assert packet.flag.value == 1 and packet.mn == point.mn
        assert set(packet.cp.codes) == {"B01", "011", "060", "101", "065", "001", "029"}
        assert packet.cp.data_time == record.data_time  # 17-digit DataTime with milliseconds


def test_bad_crc_packets_fail_decode_with_bad_crc_and_only_some_are_damaged() -> None:
    gen = SignalGenerator(WATER, scenario("bad-crc", fraction=0.2), SEED)
    records = [gen.record("2051", MONDAY + timedelta(minutes=10 * i)) for i in range(200)]
    damaged = [r for r in records if gen.damaged(r)]
    assert 20 <= len(damaged) <= 60
    for record in damaged[:10]:
        with pytest.raises(BadCrcError) as caught:
            decode(signals.packet(WATER, record, "20180416000000000", damaged=True))
        assert caught.value.reason == "bad_crc"
        assert decode(signals.packet(WATER, record, "20180416000000000")).cn == "2051"
    assert not SignalGenerator(WATER, scenario("normal"), SEED).damaged(records[0])


def test_schedule_sends_each_record_when_its_interval_ends_and_skips_offline_hours() -> None:
    start = MONDAY + timedelta(hours=1)
    items = list(signals.schedule(start, start + timedelta(hours=3), rtd_interval=300))
    by_cn = {cn: [d for d in items if d.cn == cn] for cn in signals.RECORD_CNS}
    assert [len(by_cn[cn]) for cn in signals.RECORD_CNS] == [36, 18, 3, 0]
    assert items == sorted(items)
    assert all(d.due == d.data_time + timedelta(minutes=10) for d in by_cn["2051"])
    offline = SignalGenerator(WATER, scenario("offline", hours=frozenset({2})), SEED)
    kept = list(signals.schedule(start, start + timedelta(hours=3), rtd_interval=300,
                                 offline=offline))  # fmt: skip
    assert all(d.data_time.astimezone(SHANGHAI).hour != 2 for d in kept)
    assert len(kept) == len(items) - 12 - 6 - 1


# -- whole runs against a real gateway ----------------------------------------------------------

START = datetime(2018, 4, 20, 0, 0, tzinfo=SHANGHAI)
KINDS: tuple[signals.ScenarioKind, ...] = (
    "tamper-dilution",
    "bad-crc",
    "2005-dialect",
    "offline",
    "flatline",
    "normal",
)


def _plan(hours: float = 3) -> Plan:
    dialects: list[signals.Dialect] = ["2005" if k == "2005-dialect" else "2017" for k in KINDS]
    points = signals.make_points(len(KINDS), seed=SEED, medium="mixed", dialects=dialects)
    scenarios = [
        scenario(k, hours=frozenset({1})) if k == "offline" else scenario(k, fraction=0.2)
        for k in KINDS
    ]
    return Plan(
        tuple(zip(points, scenarios, strict=True)),
        START,
        timedelta(hours=hours),
        seed=SEED,
        rtd_interval=300,
    )


def _register(rt: Runtime, plan: Plan) -> dict[int, str]:
    with rt.unit_of_work() as ctx:
        return {
            register_point(ctx, mn=p.mn, password=p.password, medium=p.medium).id: p.mn
            for p, _ in plan.loggers
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stored(
    rt: Runtime, mn_of: dict[int, str]
) -> dict[tuple[str, str, datetime], dict[str, Reading]]:
    out: dict[tuple[str, str, datetime], dict[str, Reading]] = {}
    with rt.sessions() as s:
        for r in s.scalars(select(Reading)):
            out.setdefault((mn_of[r.point_id], r.cn, r.data_time), {})[r.pollutant] = r
    return out


def _check_against_ack_log(rt: Runtime, plan: Plan, mn_of: dict[int, str], ack_log: Path) -> None:
    acked = read_ack_log(ack_log)
    keys = {(a["mn"], a["cn"], datetime.fromisoformat(a["data_time"])) for a in acked}
    assert len(keys) == len(acked) == plan.expected()
    stored = _stored(rt, mn_of)
    assert set(stored) == keys
    gens = {p.mn: plan.generator(i) for i, (p, _) in enumerate(plan.loggers)}
    for (mn, cn, data_time), readings in stored.items():
        gen = gens[mn]
        record = gen.record(cn, data_time, min_interval=plan.min_interval)
        old = gen.point.dialect == "2005"
        codes = {f.code: (f.code_2005 if old else f.code) for f in gen.point.factors}
        assert {codes[v.code] for v in record.values} == set(readings)
        for v in record.values:
            r = readings[codes[v.code]]
            assert (r.rtd, r.avg, r.min, r.max, r.cou) == (v.rtd, v.avg, v.min, v.max, v.cou)
            assert r.flag == "N"


def _run(
    rt: Runtime, plan: Plan, config: SimulatorConfig, ack_log: Path
) -> tuple[Gateway, SimReport]:
    async def main() -> tuple[Gateway, SimReport]:
        gw = Gateway(rt, GatewayConfig(port=config.port))
        await gw.start()
        try:
            report = await asyncio.wait_for(simulate(plan, config, ack_log_path=ack_log), 60)
        finally:
            await gw.close()
        return gw, report

    return asyncio.run(main())


def test_simulated_hours_are_stored_exactly_as_the_ack_log_says(
    rt: Runtime, tmp_path: Path
) -> None:
    plan = _plan()
    mn_of = _register(rt, plan)
    config = SimulatorConfig(port=_free_port(), speedup=3 * 3600 / 2.5, ack_timeout=0.3)
    gw, report = _run(rt, plan, config, tmp_path / "acks.jsonl")
    assert report.complete and report.total("acked") == plan.expected()
    damaged = report.total("damaged")
    assert damaged > 0 and report.total("retransmissions") >= damaged
    assert gw.stats.counts["rejected_bad_crc"] == damaged
    with rt.sessions() as s:
        letters = list(s.scalars(select(DeadLetter)))
    assert len(letters) == damaged and {d.reason for d in letters} == {"bad_crc"}
    _check_against_ack_log(rt, plan, mn_of, tmp_path / "acks.jsonl")
    offline = next(s for s in report.loggers if s.mn == plan.loggers[3][0].mn)
    assert offline.connects >= 2  # it hung up for its offline hour and came back


def test_loggers_keep_their_records_until_the_gateway_comes_up(rt: Runtime, tmp_path: Path) -> None:
    """Started before the gateway: connection refused, back-off, then everything is sent."""
    plan = _plan(hours=1)
    plan = Plan(plan.loggers[:3], plan.start, plan.duration, seed=SEED, rtd_interval=300)
    mn_of = _register(rt, plan)
    port = _free_port()
    config = SimulatorConfig(port=port, speedup=0, ack_timeout=0.3, backoff_max=0.2)

    async def main() -> SimReport:
        sim = asyncio.create_task(simulate(plan, config, ack_log_path=tmp_path / "acks.jsonl"))
        await asyncio.sleep(0.8)
        assert not sim.done()
        gw = Gateway(rt, GatewayConfig(port=port))
        await gw.start()
        try:
            return await asyncio.wait_for(sim, 30)
        finally:
            await gw.close()

    report = asyncio.run(main())
    assert report.complete and report.total("connect_failures") >= 2
    _check_against_ack_log(rt, plan, mn_of, tmp_path / "acks.jsonl")


def test_simulate_command_registers_its_points(rt: Runtime) -> None:
    from typer.testing import CliRunner

    from eco263.cli import app

    runner = CliRunner()
    env = {"ECO263_DATABASE_URL": rt.settings.database_url}
    result = runner.invoke(
        app,
        ["simulate", "--loggers", "2", "--scenario", "nonsense=1", "--port", "1"],
        env=env,
    )
    assert result.exit_code != 0 and "未知场景" in result.output

    from eco263.config import get_settings

    get_settings.cache_clear()
    try:
        result = runner.invoke(
            app,
            ["simulate", "--loggers", "2", "--register", "--duration", "1m", "--port", "1",
             "--speedup", "0", "--drain-timeout", "0.5", "--start", "2018-04-20T00:00"],
            env=env,
        )  # fmt: skip
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output  # no gateway on port 1: nothing answered
    with rt.sessions() as s:
        mns = set(s.scalars(select(MonitoringPoint.mn)))
    assert {p.mn for p in signals.make_points(2, seed=263)} <= mns


def test_bulk_ingest_stores_exactly_what_the_orm_path_stores(rt: Runtime) -> None:
    """The COPY / executemany fast paths against the plain SQLAlchemy path, row for row."""
    from sqlalchemy import delete

    from eco263.monitoring import ingest
    from eco263.monitoring.models import RawPacket

    plan = _plan(hours=1)
    mn_of = _register(rt, plan)
    point_of = {mn: pid for pid, mn in mn_of.items()}
    uploads = []
    received = datetime(2018, 4, 20, 1, 0, 0, 123456, tzinfo=SHANGHAI)
    for i, (point, _) in enumerate(plan.loggers):
        gen = plan.generator(i)
        for cn in ("2011", "2051", "2061"):
            record = gen.record(cn, START)
            data = signals.packet(point, record, "20180420010000000")
            if i == 0:  # lower-case CRC: decoded with a tolerance, stored with it
                data = data[:-6] + data[-6:-2].lower() + b"\r\n"
            packet = decode(data)
            uploads.append(
                ingest.Upload(point_of[point.mn], packet, "127.0.0.1:9", received, packet.cp)
            )
    uploads.append(uploads[1])  # a retransmission inside the same batch
    assert any(u.packet.tolerances for u in uploads)

    def stored() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        with rt.sessions() as s:
            packets = s.execute(
                select(RawPacket.point_id, RawPacket.received_at, RawPacket.peer, RawPacket.sha256,
                       RawPacket.cn, RawPacket.qn, RawPacket.data_time, RawPacket.data,
                       RawPacket.tolerances).order_by(RawPacket.id)
            ).all()  # fmt: skip
            readings = s.execute(
                select(Reading, RawPacket.sha256)
                .join(RawPacket, RawPacket.id == Reading.packet_id)
                .order_by(Reading.point_id, Reading.cn, Reading.pollutant)
            ).all()
        rows = [
            (r.point_id, r.cn, r.data_time, r.pollutant, r.rtd, r.avg, r.min, r.max, r.cou,
             r.zs_rtd, r.zs_avg, r.zs_min, r.zs_max, r.flag, r.eflag, sha)
            for r, sha in readings
        ]  # fmt: skip
        return [tuple(p) for p in packets], rows

    with rt.sessions() as s, s.begin():
        result = ingest.ingest_batch(s, uploads)
    fast = stored()
    with rt.sessions() as s, s.begin():
        s.execute(delete(Reading))
        s.execute(delete(RawPacket))
    with rt.sessions() as s, s.begin():
        ingest._ingest_core(s, uploads)
    slow = stored()
    assert fast == slow
    assert result.packets == len(uploads) == len(fast[0])
    assert result.readings_offered == len(fast[1]) > 0
    assert any(p[-1] for p in fast[0])  # tolerances kept


def test_a_batch_holding_an_already_stored_record_stores_the_rest(rt: Runtime) -> None:
    """PostgreSQL's COPY meets a duplicate key: the batch falls back to the merge, once."""
    from eco263.monitoring import ingest

    plan = _plan(hours=1)
    mn_of = _register(rt, plan)
    point = plan.loggers[0][0]
    point_id = next(pid for pid, mn in mn_of.items() if mn == point.mn)
    gen = plan.generator(0)

    def upload(minutes: int) -> ingest.Upload:
        record = gen.record("2051", START + timedelta(minutes=minutes))
        packet = decode(signals.packet(point, record, f"2018042001{minutes:02d}00000"))
        return ingest.Upload(point_id, packet, "127.0.0.1:9", START, packet.cp)

    with rt.sessions() as s, s.begin():
        ingest.ingest_batch(s, [upload(0), upload(10)])
    for _ in range(2):  # twice: the fallback must leave the connection usable
        with rt.sessions() as s, s.begin():
            ingest.ingest_batch(s, [upload(20), upload(10), upload(30)])
    with rt.sessions() as s:
        times = sorted(set(s.scalars(select(Reading.data_time))))
    assert times == [START + timedelta(minutes=m) for m in (0, 10, 20, 30)]
