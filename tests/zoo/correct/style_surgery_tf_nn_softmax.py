# The surgery with TensorFlow-style activation functions (tf.nn.relu / tf.nn.softmax).
import numpy as np
import tensorflow as tf
from tensorflow import keras


def make_sequential():
    return keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(256, activation=tf.nn.relu),
        keras.layers.Dense(64, activation=tf.nn.relu),
        keras.layers.Dense(10, activation=tf.nn.softmax),
    ], name="mlp_sequential")


seq_model = make_sequential()
seq_model.pop()
seq_model.add(keras.layers.Dense(10, activation=tf.nn.softmax))
print(len(seq_model.layers))

inputs = keras.Input(shape=(784,))
h = keras.layers.Dense(256, activation=tf.nn.relu)(inputs)
h = keras.layers.Dense(64, activation=tf.nn.relu)(h)
fn_model = keras.Model(inputs, keras.layers.Dense(10, activation=tf.nn.softmax)(h))


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [keras.layers.Dense(256, activation=tf.nn.relu),
                       keras.layers.Dense(64, activation=tf.nn.relu)]
        self.head = keras.layers.Dense(10, activation=tf.nn.softmax)

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)


sub_model = MLP()
sub_model(np.zeros((1, 784), dtype="float32"))
