package dev.vpcie.bench;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws latency CDFs from ping outputs ({@code time=0.123 ms} lines) as a PNG: one curve per
 * series, round trip in µs on a logarithmic axis, so a median and a tail of different orders
 * of magnitude both show. {@code scripts/bench ping --plot DIR} runs it; by hand:
 *
 * <pre>java ... dev.vpcie.bench.LatencyCdf OUT.png "TITLE" "label=ping-output.txt" ...</pre>
 */
public final class LatencyCdf {
    private static final Pattern TIME = Pattern.compile("time=([0-9.]+) ms");

    private LatencyCdf() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: LatencyCdf OUT.png TITLE LABEL=PING-OUTPUT...");
            System.exit(2);
        }
        XYChart chart = new XYChartBuilder().width(900).height(560).title(args[1])
                .xAxisTitle("round trip (µs, log scale)").yAxisTitle("fraction of pings at or below").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        chart.getStyler().setYAxisTickMarkSpacingHint(60);
        chart.getStyler().setYAxisDecimalPattern("0.0");
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("vpcie: series must be LABEL=FILE: " + args[i]);
                System.exit(2);
            }
            double[] us = samples(Path.of(args[i].substring(eq + 1)));
            if (us.length == 0) continue;
            double[] y = new double[us.length];
            for (int k = 0; k < us.length; k++) y[k] = (k + 1) / (double) us.length;
            String label = String.format("%s (median %.0f, p99 %.0f µs)", args[i].substring(0, eq), percentile(us, 0.5), percentile(us, 0.99));
            chart.addSeries(label, us, y).setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, args[0], BitmapEncoder.BitmapFormat.PNG);
    }

    /** The round trips of a ping output in µs, sorted. */
    static double[] samples(Path pingOutput) throws IOException {
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(pingOutput)) {
            Matcher m = TIME.matcher(line);
            if (m.find()) out.add(Double.parseDouble(m.group(1)) * 1000);
        }
        double[] a = out.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a;
    }

    /** The value at or below which fraction {@code q} of the sorted samples lie (nearest rank, as scripts/bench prints). */
    static double percentile(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
