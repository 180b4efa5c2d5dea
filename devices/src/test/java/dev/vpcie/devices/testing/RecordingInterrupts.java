package dev.vpcie.devices.testing;

import dev.vpcie.devices.spi.InterruptPort;
import java.util.ArrayList;
import java.util.List;

/** Records raised vectors and the INTx level. */
public final class RecordingInterrupts implements InterruptPort {
    public final List<Integer> raised = new ArrayList<>();
    public boolean level;
    public int levelChanges;

    @Override
    public void raise(int vector) { raised.add(vector); }

    @Override
    public void setLevel(boolean asserted) {
        if (asserted != level) levelChanges++;
        level = asserted;
    }
}
