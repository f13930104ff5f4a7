"""`alphaforge data import/ls`: the imported catalog holds exactly what the loader returns, `ls`
lists it, errors give exit codes and messages naming file/line/field."""

from __future__ import annotations

import argparse

import numpy as np

from alphaforge._core.data import BarType
from alphaforge._core.identifiers import InstrumentId
from alphaforge.data import loaders as L
from alphaforge.data.catalog import ParquetCatalog
from alphaforge.data.cli import FORMATS, add_data_commands, main


def test_registers_on_a_parent_parser():
    parser = argparse.ArgumentParser(prog="alphaforge")
    sub = parser.add_subparsers(dest="command")
    add_data_commands(sub)
    args = parser.parse_args(["data", "ls", "--catalog", "x"])
    assert args.func.__name__ == "cmd_ls" and str(args.catalog) == "x"
    args = parser.parse_args(["data", "import", "tardis-trades", "f.csv", "--instrument", "A.B", "--catalog", "c"])
    assert args.func.__name__ == "cmd_import" and args.format == "tardis-trades"
    assert set(L.LOADERS) < set(FORMATS)


def test_import_then_ls(shared_data, tmp_path, capsys):
    cat = tmp_path / "cat"
    f = shared_data / "trades/tardis_trades.csv"
    rc = main(["data", "import", "tardis-trades", str(f), "--instrument", "BTCUSDT-PERP.BINANCE",
               "--catalog", str(cat), "--price-precision", "2", "--size-precision", "3"])
    out, err = capsys.readouterr()
    assert rc == 0 and "9999 records loaded, 9999 written" in out
    assert "reading tardis_trades.csv" in err and "100%" in err          # the progress bar
    ref = L.load_tardis_trades(f, instrument_id="BTCUSDT-PERP.BINANCE", price_precision=2, size_precision=3)
    assert (ParquetCatalog(cat).query("trades") == ref).all()
    bt = "ADABTC.BINANCE-1-MINUTE-LAST-EXTERNAL"
    rc = main(["data", "import", "binance-klines", str(shared_data / "bars/ADABTC-1m-2021-11-27.csv"),
               "--instrument", "ADABTC.BINANCE", "--bar-type", bt, "--catalog", str(cat), "--no-progress"])
    assert rc == 0
    bars = ParquetCatalog(cat).query("bars", bt)
    assert len(bars) == 10 and (bars["bar_type_id"] == BarType.from_str(bt).index).all()
    capsys.readouterr()
    assert main(["data", "ls", "--catalog", str(cat)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["TYPE", "KEY", "FILES", "ROWS", "START", "(UTC)", "END", "(UTC)"]
    assert lines[1].split() == ["trades", "BTCUSDT-PERP.BINANCE", "1", "9999", "2020-02-22T00:00:02.111000000",
                                "2020-02-22T02:05:47.728000000"]
    assert lines[2].split() == ["bars", bt, "1", "10", "2021-11-27T00:01:00.000000000",
                                "2021-11-27T00:10:00.000000000"]


def test_overlap_and_dedup_exit_codes(shared_data, tmp_path, capsys):
    cat = tmp_path / "cat"
    args = ["data", "import", "databento-trades",
            str(shared_data / "trades/databento-esu4-trades_2024-07-01T23h58_2024-07-02T00h02.csv"),
            "--instrument", "ESU4.XCME", "--catalog", str(cat), "--no-progress"]
    assert main(args) == 0
    assert main(args) == 3
    assert "overlap" in capsys.readouterr().err
    assert main([*args, "--on-overlap", "dedup"]) == 0
    assert "120 records loaded, 0 written" in capsys.readouterr().out
    assert len(ParquetCatalog(cat).query("trades")) == 120


def test_malformed_file_reports_line_and_field(shared_data, tmp_path, capsys):
    lines = (shared_data / "trades/tardis_trades.csv").read_text().splitlines()
    lines[99] = lines[99].replace("binance-futures,BTCUSDT,", "binance-futures,BTCUSDT,x", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    rc = main(["data", "import", "tardis-trades", str(bad), "--instrument", "A.SIM", "--catalog",
               str(tmp_path / "cat"), "--no-progress"])
    assert rc == 2
    assert f"{bad}:100: field 'timestamp'" in capsys.readouterr().err
    assert not (tmp_path / "cat").exists()


def test_fxcm_and_generic_csv(shared_data, tmp_path):
    cat = tmp_path / "cat"
    bid = shared_data / "bars/fxcm-usdjpy-m1-bid-2013.csv.gz"
    ask = shared_data / "bars/fxcm-usdjpy-m1-ask-2013.csv.gz"
    assert main(["data", "import", "fxcm-bars", str(bid), "--ask-file", str(ask), "--instrument", "USD/JPY.FXCM",
                 "--catalog", str(cat), "--no-progress"]) == 0
    q = ParquetCatalog(cat).query("quotes", "USD/JPY.FXCM")
    ref = L.load_fxcm_bars(bid, ask, output="quotes", instrument_id="USD/JPY.FXCM")
    assert len(q) == 28761 and (q == ref).all()
    csvf = tmp_path / "ticks.csv"
    csvf.write_text("t,p,q,s\n1000,1.25,3,1\n2000,1.5,4,2\n")
    assert main(["data", "import", "csv", str(csvf), "--instrument", "X.SIM", "--catalog", str(cat),
                 "--data-type", "trades", "--columns", "ts_event=t,price=p,size=q,aggressor_side=s",
                 "--ts-unit", "ms"]) == 0
    t = ParquetCatalog(cat).query("trades", "X.SIM")
    assert t["ts_event"].tolist() == [10**9, 2 * 10**9] and t["price"].tolist() == [1_250_000_000, 1_500_000_000]
    assert t["aggressor_side"].tolist() == [1, 2]
    assert (t["instrument_id"] == InstrumentId.from_str("X.SIM").index).all()
    assert np.array_equal(t["size"], [3 * 10**9, 4 * 10**9])


def test_dbn_import_keys_bars_by_bar_type(shared_data, tmp_path, capsys):
    cat = tmp_path / "cat"
    dbn = shared_data / "databento_dbn"
    trades = dbn / "futures_trades_2024-07-01T23h58_2024-07-02T00h02.dbn.zst"
    ohlcv = dbn / "futures_ohlcv-1m_2024-07-01T23h40_2024-07-02T00h10.dbn.zst"
    assert main(["data", "import", "databento-dbn", str(trades), "--instrument", "ESU4.XCME", "--catalog", str(cat)]) == 0
    with_bt = ["--bar-type", "ESU4.XCME-1-MINUTE-LAST-EXTERNAL"]
    try:
        main(["data", "import", "databento-dbn", str(ohlcv), "--instrument", "ESU4.XCME", "--catalog", str(cat)])
        raise AssertionError("bars without --bar-type must fail")
    except SystemExit as exc:
        assert "--bar-type" in str(exc)
    assert main(["data", "import", "databento-dbn", str(ohlcv), "--instrument", "ESU4.XCME", "--catalog", str(cat),
                 *with_bt]) == 0
    c = ParquetCatalog(cat)
    assert len(c.query("trades", "ESU4.XCME")) == 120 and len(c.query("bars", with_bt[1])) == 30
    ftx = shared_data / "bars/ftx-btc-perp-20211231-20220201_1m.csv.gz"
    args = ["data", "import", "ohlc-csv", str(ftx), "--instrument", "BTC-PERP.FTX", "--catalog", str(cat),
            "--bar-type", "BTC-PERP.FTX-1-MINUTE-LAST-EXTERNAL", "--no-progress", "--size-precision", "4"]
    assert main(args) == 2 and "volume" in capsys.readouterr().err
    assert main([*args, "--round-volume"]) == 0
    assert len(c.query("bars", "BTC-PERP.FTX-1-MINUTE-LAST-EXTERNAL")) == 45031
