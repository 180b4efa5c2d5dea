package dev.vpcie.devices.testing;

import dev.vpcie.devices.spi.InterruptPort;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/** Records raised vectors and the INTx level. */
public final class RecordingInterrupts implements InterruptPort {
    public final List<Integer> raised = new ArrayList<>();
    public boolean level;
    public int levelChanges;
    /** Runs at each raise, to observe what the host sees at that moment. */
    public IntConsumer onRaise = v -> { };

    @Override
    public void raise(int vector) {
        raised.add(vector);
        onRaise.accept(vector);
    }

    @Override
    public void setLevel(boolean asserted) {
        if (asserted != level) levelChanges++;
        level = asserted;
    }
}
