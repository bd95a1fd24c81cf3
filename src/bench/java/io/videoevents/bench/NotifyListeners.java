package io.videoevents.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * COUNT connections that LISTEN on the service's channel and read every notification, each on a thread
 * of its own, as COUNT replicas' listeners would. Used by {@code src/bench/notify-cost.sh}; runs as a
 * single source file with only the PostgreSQL JDBC driver:
 *
 * <pre>java -cp postgresql.jar src/bench/java/io/videoevents/bench/NotifyListeners.java JDBC_URL COUNT MAX_SECONDS</pre>
 *
 * Prints {@code listening COUNT} once every connection has run its LISTEN. A line {@code stop} on standard
 * input (or its end) makes it wait until no notification has arrived for one second (at most 30 s), then
 * print {@code received MIN MAX TOTAL} (notifications per connection, least and most, and all together) and
 * exit. It exits by itself with status 2 after MAX_SECONDS whatever happens.
 */
public final class NotifyListeners {

    private static final String CHANNEL = "video_status_events";

    private NotifyListeners() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int count = Integer.parseInt(args[1]);
        long maxSeconds = Long.parseLong(args[2]);

        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(maxSeconds * 1000);
                System.out.println("timeout after " + maxSeconds + " s");
                System.exit(2);
            } catch (InterruptedException e) {
                // the normal end
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();

        Properties props = new Properties();
        props.setProperty("ApplicationName", "notify-cost-listener");
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Connection connection = DriverManager.getConnection(url, props);
            try (Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + CHANNEL);
            }
            connections.add(connection);
        }

        AtomicLongArray received = new AtomicLongArray(count);
        AtomicLong lastArrival = new AtomicLong(System.nanoTime());
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = i;
            PGConnection connection = connections.get(i).unwrap(PGConnection.class);
            Thread reader = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        // blocks until a notification arrives or 200 ms pass
                        PGNotification[] batch = connection.getNotifications(200);
                        if (batch != null && batch.length > 0) {
                            received.addAndGet(index, batch.length);
                            lastArrival.set(System.nanoTime());
                        }
                    }
                } catch (Exception e) {
                    System.out.println("listener " + index + " failed: " + e);
                    System.exit(1);
                }
            }, "listener-" + i);
            reader.start();
            readers.add(reader);
        }
        System.out.println("listening " + count);

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.trim().equals("stop"); line = in.readLine()) {
            // only "stop" means anything
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() - lastArrival.get() < 1_000_000_000L && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        stop.set(true);
        for (Thread reader : readers) {
            reader.join();
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        long total = 0;
        for (int i = 0; i < count; i++) {
            long n = received.get(i);
            min = Math.min(min, n);
            max = Math.max(max, n);
            total += n;
        }
        System.out.println("received " + (count == 0 ? 0 : min) + " " + max + " " + total);
        for (Connection connection : connections) {
            connection.close();
        }
        watchdog.interrupt();
    }
}
