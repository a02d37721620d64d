import numpy as np
import tensorflow as tf

keras = tf.keras
Dense = keras.layers.Dense

pixels = keras.Input(shape=(784,), name="pixels")
metadata = keras.Input(shape=(8,), name="metadata")

h = Dense(256, activation=tf.nn.relu)(pixels)
h = Dense(64, activation=tf.nn.relu)(h)
t = Dense(16, activation=keras.activations.relu)(metadata)
z = keras.layers.Concatenate()([h, t])

model = keras.Model(
    inputs=[pixels, metadata],
    outputs=[Dense(10, activation=tf.nn.softmax, name="digit")(z),
             Dense(1, activation=tf.nn.sigmoid, name="is_hard")(z)],
    name="two_headed_mlp",
)
model.compile(
    optimizer=keras.optimizers.Adam(),
    loss={"digit": keras.losses.sparse_categorical_crossentropy,
          "is_hard": keras.losses.binary_crossentropy},
    loss_weights={"digit": 1.0, "is_hard": 0.3},
)

n = 32
model.fit({"pixels": np.random.rand(n, 784), "metadata": np.random.rand(n, 8)},
          {"digit": np.random.randint(0, 10, n), "is_hard": np.random.randint(0, 2, (n, 1))},
          epochs=1, verbose=0)
print(f"params: {model.count_params():,}")
