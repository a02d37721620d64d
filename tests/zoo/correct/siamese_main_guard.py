import numpy as np
import keras
from keras import layers

# --- Inputs: two images to compare ---
left  = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

# --- Shared encoder: instantiate ONCE, call TWICE ---
enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
enc2 = layers.Dense(64,  activation="relu", name="enc_dense_2")

def encode(x):
    return enc2(enc1(x))

left_emb  = encode(left)
right_emb = encode(right)

merged = layers.concatenate([left_emb, right_emb])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

model = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")


def make_fake_pairs(n=128, seed=0):
    """Random 'image' pairs with random same/different labels."""
    rng = np.random.default_rng(seed)
    xl = rng.random((n, 784), dtype=np.float32)
    xr = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 2, size=(n, 1)).astype("float32")
    return {"left": xl, "right": xr}, y


def main():
    model.summary()
    assert model.count_params() == 217_537, model.count_params()
    assert len(model.trainable_weights) == 6

    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="binary_crossentropy",
        metrics=["accuracy", keras.metrics.AUC(name="auc")],
    )
    x, y = make_fake_pairs(128)
    history = model.fit(x, y, epochs=1, batch_size=32, validation_split=0.25, verbose=2)
    print("history:", {k: [round(v, 4) for v in vals] for k, vals in history.history.items()})

    x_test, y_test = make_fake_pairs(32, seed=1)
    results = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    print("test:", results)

    p = model.predict(x_test, verbose=0)
    assert p.shape == (32, 1)
    assert (p > 0).all() and (p < 1).all()
    print("done ✓")


if __name__ == "__main__":
    main()
