package io.videoevents.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The latency-by-percentile chart: one line per step, x from the median to 99.999 % on the usual
 * "nines" scale (log of 1 / (1 - p)), y in milliseconds on a log scale. Drawn with Java2D, headless.
 */
final class Plot {

    private static final Color[] COLORS = { new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f) };
    private static final int W = 900;
    private static final int H = 560;
    private static final int LEFT = 80;
    private static final int RIGHT = 50;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final double MAX_NINES = 5; // 99.999 %
    private static final double MIN_MS = 0.1;

    record Line(String label, Histogram histogram) {
    }

    static void write(Path file, String title, List<Line> lines) throws IOException {
        double maxMs = 1;
        for (Line line : lines) {
            maxMs = Math.max(maxMs, line.histogram().getMaxValue() / 1000.0);
        }
        double top = Math.pow(10, Math.ceil(Math.log10(maxMs)));
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

        // grid: percentiles across, decades of milliseconds up
        String[] percentLabels = { "0%", "90%", "99%", "99.9%", "99.99%", "99.999%" };
        for (int nines = 0; nines <= MAX_NINES; nines++) {
            int x = x(nines);
            g.setColor(new Color(0xdddddd));
            g.drawLine(x, TOP, x, H - BOTTOM);
            g.setColor(Color.DARK_GRAY);
            g.drawString(percentLabels[nines], x - 15, H - BOTTOM + 18);
        }
        for (double ms = MIN_MS; ms <= top * 1.001; ms *= 10) {
            int y = y(ms, top);
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT, y, W - RIGHT, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(ms < 1 ? String.valueOf(ms) : String.valueOf((long) ms), LEFT - 45, y + 4);
        }
        g.drawString("percentile", W / 2 - 30, H - 18);
        g.rotate(-Math.PI / 2);
        g.drawString("commit → received (ms)", -(H / 2) - 60, 22);
        g.rotate(Math.PI / 2);
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM);

        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            if (line.histogram().getTotalCount() == 0) {
                continue;
            }
            Color color = COLORS[i % COLORS.length];
            Path2D path = new Path2D.Double();
            boolean first = true;
            for (HistogramIterationValue value : line.histogram().percentiles(5)) {
                double p = value.getPercentileLevelIteratedTo() / 100.0;
                double nines = p >= 1 ? MAX_NINES : Math.min(MAX_NINES, -Math.log10(1 - p));
                double ms = Math.max(MIN_MS, value.getValueIteratedTo() / 1000.0);
                if (first) {
                    path.moveTo(x(nines), y(ms, top));
                    first = false;
                } else {
                    path.lineTo(x(nines), y(ms, top));
                }
            }
            g.setColor(color);
            g.setStroke(new BasicStroke(2f));
            g.draw(path);
        }
        // the legend sits bottom right, where latency curves (rising to the right) rarely are, on a light box
        int boxWidth = 430;
        int boxHeight = 18 * lines.size() + 8;
        int boxX = W - RIGHT - boxWidth - 6;
        int boxY = H - BOTTOM - boxHeight - 6;
        g.setColor(new Color(255, 255, 255, 225));
        g.fillRect(boxX, boxY, boxWidth, boxHeight);
        int legendY = boxY + 16;
        for (int i = 0; i < lines.size(); i++) {
            g.setColor(COLORS[i % COLORS.length]);
            g.fillRect(boxX + 6, legendY - 9, 14, 10);
            g.setColor(Color.BLACK);
            g.drawString(lines.get(i).label(), boxX + 26, legendY);
            legendY += 18;
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static int x(double nines) {
        return LEFT + (int) Math.round(nines / MAX_NINES * (W - LEFT - RIGHT));
    }

    private static int y(double ms, double top) {
        double span = Math.log10(top) - Math.log10(MIN_MS);
        double at = (Math.log10(Math.max(MIN_MS, ms)) - Math.log10(MIN_MS)) / span;
        return H - BOTTOM - (int) Math.round(at * (H - TOP - BOTTOM));
    }
}
