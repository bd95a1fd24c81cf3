package io.videoevents.bench;

import java.io.*;
import java.nio.charset.StandardCharsets;
import java.sql.*;
import java.util.*;
import java.util.concurrent.atomic.*;
import org.postgresql.*;

/**
 * COUNT connections that LISTEN on the service's channel and read every notification, each on a thread of its own, as
 * COUNT replicas' listeners would.
 */
public final class NotifyListeners {
    private static final String CHANNEL = "video_status_events";
    /** The replicas' subject in nats mode (video-events.fanout.nats.subject's default). */
    private static final String SUBJECT = "video-events.notifications";

    private NotifyListeners() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int count = Integer.parseInt(args[1]);
        long maxSeconds = Long.parseLong(args[2]);
        String natsUrl = args.length > 3 ? args[3] : null;
        int subscriberCount = args.length > 4 ? Integer.parseInt(args[4]) : 0;
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
        // the relay tier: one publishing connection per relay, one subscribing connection per replica
        List<io.nats.client.Connection> publishers = new ArrayList<>();
        List<io.nats.client.Connection> subscribers = new ArrayList<>();
        AtomicLongArray relayed = new AtomicLongArray(Math.max(1, subscriberCount));
        if (natsUrl != null) {
            for (int i = 0; i < count; i++) {
                publishers.add(io.nats.client.Nats.connect(natsUrl));
            }
            for (int i = 0; i < subscriberCount; i++) {
                int index = i;
                io.nats.client.Connection subscriber = io.nats.client.Nats.connect(natsUrl);
                subscriber.createDispatcher(message -> {
                    relayed.incrementAndGet(index);
                    lastArrival.set(System.nanoTime());
                }).subscribe(SUBJECT);
                subscriber.flush(java.time.Duration.ofSeconds(5));
                subscribers.add(subscriber);
            }
        }
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
                            if (!publishers.isEmpty()) {
                                for (PGNotification notification : batch) {
                                    publishers.get(index).publish(SUBJECT, notification.getParameter().getBytes(StandardCharsets.UTF_8));
                                }
                            }
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
        System.out.println("received " + spread(received, count));
        if (natsUrl != null) {
            System.out.println("relayed " + spread(relayed, subscriberCount));
            for (io.nats.client.Connection connection : publishers) {
                connection.close();
            }
            for (io.nats.client.Connection connection : subscribers) {
                connection.close();
            }
        }
        for (Connection connection : connections) {
            connection.close();
        }
        watchdog.interrupt();
    }

    /** "min max total" of the first {@code n} counters (min 0 when there are none). */
    private static String spread(AtomicLongArray counters, int n) {
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = counters.get(i);
        }
        LongSummaryStatistics stats = Arrays.stream(values).summaryStatistics();
        return (n == 0 ? 0 : stats.getMin()) + " " + (n == 0 ? 0 : stats.getMax()) + " " + stats.getSum();
    }
}
