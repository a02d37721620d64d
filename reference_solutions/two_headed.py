import numpy as np
import keras
from keras import layers

# --- Two inputs: the image and a small metadata vector ---
img_in  = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,),   name="metadata")

# Branch 1: the image trunk (our familiar MLP body)
x = layers.Dense(256, activation="relu")(img_in)
x = layers.Dense(64, activation="relu")(x)

# Branch 2: a small tower for the metadata
m = layers.Dense(16, activation="relu")(meta_in)

# Merge the branches, then fan out into two heads
merged    = layers.concatenate([x, m])                              # (None, 64 + 16) = (None, 80)
digit_out = layers.Dense(10, activation="softmax", name="digit")(merged)
hard_out  = layers.Dense(1,  activation="sigmoid", name="is_hard")(merged)

two_headed = keras.Model(
    inputs=[img_in, meta_in],
    outputs=[digit_out, hard_out],
    name="two_headed_mlp",
)
two_headed.summary()

# 784×256 + 256 = 200,960;  256×64 + 64 = 16,448;  8×16 + 16 = 144;
# digit: 80×10 + 10 = 810;  is_hard: 80×1 + 1 = 81;  total 218,443
assert two_headed.count_params() == 218_443, two_headed.count_params()

# One loss per named head, weighted: loss = 1.0 × digit_loss + 0.3 × is_hard_loss
two_headed.compile(
    optimizer="adam",
    loss={
        "digit":   "sparse_categorical_crossentropy",
        "is_hard": "binary_crossentropy",
    },
    loss_weights={"digit": 1.0, "is_hard": 0.3},
    metrics={"digit": ["accuracy"]},
)

# Smoke-test with fake data — shapes are the contract:
n = 128
fake = {
    "pixels":   np.random.rand(n, 784).astype("float32"),
    "metadata": np.random.rand(n, 8).astype("float32"),
}
fake_y = {
    "digit":   np.random.randint(0, 10, size=(n,)),
    "is_hard": np.random.randint(0, 2,  size=(n, 1)).astype("float32"),
}
two_headed.fit(fake, fake_y, epochs=1, batch_size=32, verbose=1)

for layer in two_headed.layers:
    print(f"{layer.name:>14}  {layer.__class__.__name__:<12} → {layer.output.shape}")
