import numpy as np
import keras
from keras import layers, ops

# encoder as a Sequential with its own Input, shared by both branches
encoder = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
    ],
    name="encoder",
)

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

# keras.ops works on symbolic tensors too
merged = ops.concatenate([encoder(left), encoder(right)], axis=-1)   # (None, 128)
same_digit = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs=[left, right], outputs=same_digit, name="siamese_mlp")
siamese.summary(expand_nested=True)

print(siamese.count_params(), len(siamese.trainable_weights))
assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6

siamese.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
n = 64
xl = np.random.rand(n, 784).astype("float32")
xr = np.random.rand(n, 784).astype("float32")
y = np.random.randint(0, 2, size=(n, 1)).astype("float32")
siamese.fit([xl, xr], y, epochs=1, batch_size=16, verbose=0)

out = siamese.predict([xl[:4], xr[:4]], verbose=0)
assert out.shape == (4, 1) and ((0 < out) & (out < 1)).all()
